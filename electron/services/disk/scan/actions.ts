import { spawn } from 'node:child_process';
import { accessSync, constants, lstatSync, type Stats } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { ActionReport, FileAction } from '../../../contract/disk';
import { ServiceError } from '../../../contract/errors';
import { moveToTrash } from '../trash';
import { liveNode } from './queries';
import type { Scan } from './scan';
import { KIND, KIND_NAMES } from './tree';

function kindOfStats(st: Stats): number {
  if (st.isDirectory()) return KIND.dir;
  if (st.isFile()) return KIND.file;
  if (st.isSymbolicLink()) return KIND.symlink;
  return KIND.other;
}

const errText = (err: unknown) => {
  const e = err as NodeJS.ErrnoException & { code?: string };
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
};

/**
 * Trashes or deletes nodes of a finished scan. Everything is checked before anything is done:
 * nodes exist, none is the root (or "/"), each path still has the kind the scan saw (else
 * CONFLICT). A dry run stops there and lists exactly what would go and how many bytes. Acting
 * removes each done node from the tree, so folder totals drop by what was freed.
 */
export async function trashOrDelete(scan: Scan, nodeIds: number[], action: 'trash' | 'delete', dryRun: boolean): Promise<ActionReport> {
  if (scan.state === 'running') throw new ServiceError('CONFLICT', `scan ${scan.id} is still running; wait for it or cancel it first`);
  const t = scan.tree;
  const ids = [...new Set(nodeIds)].map((id) => liveNode(scan, id));
  for (const i of ids) {
    if (i === 0) throw new ServiceError('INVALID_INPUT', `refusing to ${action} the scanned folder itself (${scan.root})`);
  }
  // A node inside another selected folder goes with that folder.
  const selected = new Set(ids);
  const top = ids.filter((i) => {
    for (let p = t.parent[i]; p >= 0; p = t.parent[p]) if (selected.has(p)) return false;
    return true;
  });
  const planned: { node: number; path: Buffer; item: FileAction }[] = [];
  for (const i of top) {
    const path = t.pathBytes(i);
    const shown = t.path(i);
    if (shown === '/' || path.length <= 1) throw new ServiceError('INVALID_INPUT', 'refusing to act on /');
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      throw new ServiceError('NOT_FOUND', `${shown} no longer exists (refresh the scan)`);
    }
    if (kindOfStats(st) !== t.kind[i]) {
      throw new ServiceError('CONFLICT', `${shown} was a ${KIND_NAMES[t.kind[i]]} when scanned and is now a ${KIND_NAMES[kindOfStats(st)]}; nothing was done`);
    }
    planned.push({ node: i, path, item: { path: shown, bytes: t.allocated[i], kind: KIND_NAMES[t.kind[i]] } });
  }
  const report: ActionReport = { dryRun, action, items: planned.map((p) => p.item), totalBytes: 0 };
  if (dryRun) {
    report.totalBytes = planned.reduce((s, p) => s + p.item.bytes, 0);
    return report;
  }
  for (const p of planned) {
    try {
      if (action === 'delete') {
        await rm(p.path, { recursive: true, force: false });
      } else {
        const r = await moveToTrash(p.path);
        report.trashDir ??= r.trashDir;
      }
      p.item.outcome = 'done';
      report.totalBytes += p.item.bytes;
      t.remove(p.node);
      t.recountLinksAfterRemoval(p.node);
    } catch (err) {
      p.item.outcome = 'failed';
      p.item.message = errText(err);
    }
  }
  t.invalidateFolderCategories();
  scan.recount();
  return report;
}

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Opens the folder holding a node in the desktop's file manager. */
export function reveal(scan: Scan, nodeId: number): { opened: string } {
  const i = liveNode(scan, nodeId);
  const t = scan.tree;
  const folder = t.parent[i] >= 0 ? t.path(t.parent[i]) : dirname(scan.root);
  if (!onPath('xdg-open')) {
    throw new ServiceError('UNAVAILABLE', `cannot open ${folder}: xdg-open is not installed (install xdg-utils)`);
  }
  const child = spawn('xdg-open', [t.parent[i] >= 0 ? t.pathBytes(t.parent[i]).toString() : folder], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  return { opened: folder };
}
