import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../rpc/handlers';
import { HistoryStore } from '../history/store';
import { CollectorRegistry } from '../scheduler/polled-source';
import { kill, spawnSleep } from './control/testing';
import { createProcessesService } from './index';

const ctx: CallContext = { clientId: 't', signal: new AbortController().signal };
const dir = mkdtempSync(join(tmpdir(), 'vantage-processes-'));
const history = new HistoryStore(join(dir, 'history.db'));
const svc = createProcessesService({ collectors: new CollectorRegistry(), history });
afterAll(() => {
  svc.stop();
  history.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the processes service', () => {
  it('shows a change it made to a sleeping process in the very next snapshot', async () => {
    const child = spawnSleep();
    try {
      const niceIn = async () => {
        const { table } = await svc.handlers.list({}, ctx);
        return table.nice[table.pid.indexOf(child.pid)];
      };
      // Several reads while it sleeps: the reader now reuses its kept values for it.
      for (let i = 0; i < 3; i++) expect(await niceIn()).toBe(0);
      for (const nice of [5, 6, 7, 8]) {
        await svc.handlers.renice({ pid: child.pid, nice }, ctx);
        expect(await niceIn()).toBe(nice);
      }
    } finally {
      kill(child);
    }
  });
});
