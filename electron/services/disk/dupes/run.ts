import type { disk, DupesEvent, DupesResult } from '../../../contract/disk';
import type { DomainHandlers } from '../../../rpc/handlers';

type H = Pick<DomainHandlers<typeof disk>, 'dupes' | 'dupesProgress'>;
const ctx = { clientId: 'test', signal: new AbortController().signal };

/** Starts a search and waits for its done event (events seen are returned too). */
export async function searchToEnd(
  h: H,
  input: { roots: string[]; minSize?: number; oneFileSystem?: boolean; excludes?: string[] },
): Promise<{ result: DupesResult; events: DupesEvent[] }> {
  const { jobId } = await h.dupes({ minSize: 1, oneFileSystem: false, excludes: [], ...input }, ctx);
  const events: DupesEvent[] = [];
  return new Promise((resolve, reject) => {
    const stop = h.dupesProgress({ jobId, intervalMs: 50 }, (e) => {
      events.push(e);
      if (e.type === 'done') {
        void Promise.resolve(stop).then((s) => s());
        resolve({ result: e.result, events });
      } else if (e.type === 'failed') reject(new Error(`${e.code}: ${e.message}`));
    }, ctx);
  });
}

