import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { helperBinary } from '../../native/load';
import { INSTALLED_HELPER, POLICY_FILE, privilegeStatus, runHelper, type PrivilegeFacts } from './privilege';
import { kill, niceOf, spawnSleep } from './testing';
import type { ChildProcess } from 'node:child_process';

const built = helperBinary('vantage-helper');
const facts = (f: Partial<PrivilegeFacts>): PrivilegeFacts => ({ uid: 1000, builtHelper: null, installedHelper: null, pkexecPath: null, policyInstalled: false, ...f });
const dir = mkdtempSync(join(tmpdir(), 'vantage-priv-'));
let child: ChildProcess | null = null;
afterEach(() => kill(child));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('privilegeStatus', () => {
  it('as root: the helper is spawned directly', () => {
    expect(privilegeStatus(facts({ uid: 0, builtHelper: '/b/vantage-helper' }))).toMatchObject({ root: true, mode: 'root', helperPath: '/b/vantage-helper' });
  });

  it('as a user with pkexec and the installed helper: pkexec, saying whether the policy remembers the password', () => {
    const withPolicy = privilegeStatus(facts({ installedHelper: INSTALLED_HELPER, pkexecPath: '/usr/bin/pkexec', policyInstalled: true }));
    expect(withPolicy).toMatchObject({ root: false, mode: 'pkexec', helperPath: INSTALLED_HELPER, pkexecPath: '/usr/bin/pkexec' });
    expect(withPolicy.explanation).toContain('org.vantage.helper.control');
    const without = privilegeStatus(facts({ installedHelper: INSTALLED_HELPER, pkexecPath: '/usr/bin/pkexec' }));
    expect(without.explanation).toContain(`as ${POLICY_FILE}`);
  });

  it('with no path: mode none, naming each missing piece and how to install it', () => {
    const s = privilegeStatus(facts({ builtHelper: '/w/build/vantage-helper' }));
    expect(s.mode).toBe('none');
    expect(s.explanation).toContain('pkexec is not installed');
    expect(s.explanation).toContain(`install -D -m 0755 build/vantage-helper ${INSTALLED_HELPER}`);
    expect(privilegeStatus(facts({ pkexecPath: '/usr/bin/pkexec' })).explanation).not.toContain('pkexec is not installed');
  });
});

describe('runHelper', () => {
  it('with no path refuses with NEEDS_PRIVILEGE and runs nothing', async () => {
    await expect(runHelper(['renice', '2', '1'], privilegeStatus(facts({})))).rejects.toMatchObject({ code: 'NEEDS_PRIVILEGE' });
  });

  it.runIf(process.getuid?.() === 0 && built)('as root runs the built helper directly and maps its answer', async () => {
    child = spawnSleep();
    const root = privilegeStatus(facts({ uid: 0, builtHelper: built }));
    await runHelper(['renice', String(child.pid), '3'], root);
    expect(niceOf(child.pid!)).toBe(3);
    await expect(runHelper(['renice', '4194000', '3'], root)).rejects.toMatchObject({ code: 'ESRCH' });
    await expect(runHelper(['renice', '1', '3'], root)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('PID 1') });
  });

  it.runIf(built)('through pkexec: passes the helper and its arguments unchanged; refused authorisation is NEEDS_PRIVILEGE', async () => {
    // A stand-in for pkexec with the same calling convention: `pkexec PROGRAM ARGS...`.
    const granting = join(dir, 'pkexec-granting');
    writeFileSync(granting, '#!/bin/sh\nexec "$@"\n');
    const refusing = join(dir, 'pkexec-refusing');
    writeFileSync(refusing, '#!/bin/sh\necho "Error executing command as another user: Not authorized" >&2\nexit 127\n');
    chmodSync(granting, 0o755);
    chmodSync(refusing, 0o755);
    child = spawnSleep();
    const via = (pkexecPath: string) => ({ ...privilegeStatus(facts({ installedHelper: built, pkexecPath, policyInstalled: true })), helperPath: built });
    await runHelper(['renice', String(child.pid), '6'], via(granting));
    expect(niceOf(child.pid!)).toBe(6);
    await expect(runHelper(['renice', String(child.pid), '2'], via(refusing))).rejects.toMatchObject({
      code: 'NEEDS_PRIVILEGE',
      message: expect.stringContaining('authorisation was refused'),
    });
    expect(niceOf(child.pid!)).toBe(6);
  });
});
