import { randomBytes } from 'node:crypto';
import { chmod, chown, link, lstat, open, rename, unlink, utimes } from 'node:fs/promises';
import type { DupesActionItem, FileAction } from '../../../contract/disk';
import { moveToTrash } from '../trash';
import type { DiskAddon } from './engine';
import type { FoundFile, FoundGroup } from './find';
import { showPath } from './result';

/**
 * Acting on duplicate groups. For each group one copy is kept by the rule; before anything is
 * touched the kept copy and every victim are checked again against what the search found (same
 * dev, inode, size and mtime: lstat) and compared byte for byte with the kept copy. A mismatch
 * skips that item with a CONFLICT message; a kept copy that changed skips the whole group, so the
 * last copy is never lost. Replacements (hard link, reflink) are made under a temporary name in
 * the victim's folder and renamed over it, so the victim's name always points at full content.
 */

export type KeepRule = 'newest' | 'oldest' | 'shortest-path' | 'in-folder';
export type DupAction = 'trash' | 'hardlink' | 'reflink';

export interface ActOptions {
  action: DupAction;
  keep: KeepRule;
  keepFolder?: string;
  dryRun: boolean;
  addon: DiskAddon | null;
  addonReason?: string;
}

const mtimeOf = (f: FoundFile) => f.mtimeSec * 1e9 + f.mtimeNsec;

/** The copy a rule keeps (ties: shorter path, then byte order), or null when no copy is under keepFolder. */
export function chooseKeep(files: FoundFile[], rule: KeepRule, keepFolder?: string): FoundFile | null {
  const byPath = (a: FoundFile, b: FoundFile) =>
    a.names[0].length - b.names[0].length || Buffer.compare(a.names[0], b.names[0]);
  const sorted = [...files];
  if (rule === 'newest') sorted.sort((a, b) => mtimeOf(b) - mtimeOf(a) || byPath(a, b));
  else if (rule === 'oldest') sorted.sort((a, b) => mtimeOf(a) - mtimeOf(b) || byPath(a, b));
  else sorted.sort(byPath);
  if (rule !== 'in-folder') return sorted[0];
  const prefix = Buffer.from(keepFolder === '/' ? '/' : `${(keepFolder ?? '').replace(/\/+$/, '')}/`);
  return sorted.find((f) => f.names.some((n) => n.subarray(0, prefix.length).equals(prefix))) ?? null;
}

/** Still the file the search found? Returns why not, or null. */
async function unchanged(name: Buffer, f: FoundFile): Promise<string | null> {
  try {
    const st = await lstat(name, { bigint: true });
    if (!st.isFile()) return 'is no longer a regular file';
    if (Number(st.dev) !== f.dev || Number(st.ino) !== f.ino) return 'was replaced by another file';
    if (Number(st.size) !== f.size) return `changed size (${f.size} → ${st.size} bytes)`;
    const ns = st.mtimeNs;
    if (Number(ns / 1_000_000_000n) !== f.mtimeSec || Number(ns % 1_000_000_000n) !== f.mtimeNsec) return 'was modified';
    return null;
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}

/** Byte-for-byte comparison of two files of one size. */
export async function sameBytes(a: Buffer, b: Buffer, size: number): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const chunk = 1 << 20;
    const ba = Buffer.alloc(Math.min(chunk, Math.max(size, 1)));
    const bb = Buffer.alloc(ba.length);
    for (let off = 0; off < size; off += chunk) {
      const len = Math.min(chunk, size - off);
      const [ra, rb] = await Promise.all([fa.read(ba, 0, len, off), fb.read(bb, 0, len, off)]);
      if (ra.bytesRead !== len || rb.bytesRead !== len) return false;
      if (!ba.subarray(0, len).equals(bb.subarray(0, len))) return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

function tempBeside(name: Buffer): Buffer {
  const slash = name.lastIndexOf(0x2f);
  return Buffer.concat([name.subarray(0, slash + 1), Buffer.from(`.vantage-dedupe-${randomBytes(6).toString('hex')}`)]);
}

const REFLINK_UNSUPPORTED = new Set(['EOPNOTSUPP', 'ENOTSUP', 'EINVAL', 'EXDEV', 'ENOTTY', 'ENOSYS']);

/** The new name must be the verified kept inode, or the victim would be replaced by something else. */
async function sameInode(tmp: Buffer, keep: FoundFile): Promise<void> {
  const problem = await unchanged(tmp, keep);
  if (problem) throw Object.assign(new Error(`the kept copy ${problem} while acting`), { code: 'CONFLICT' });
}

async function replaceWithHardlink(keep: Buffer, victim: Buffer, kept: FoundFile): Promise<void> {
  const tmp = tempBeside(victim);
  await link(keep, tmp);
  try {
    await sameInode(tmp, kept);
    await rename(tmp, victim);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function replaceWithReflink(addon: DiskAddon, keep: Buffer, victim: Buffer, kept: FoundFile): Promise<string | null> {
  const st = await lstat(victim);
  const tmp = tempBeside(victim);
  const r = addon.cloneFile(keep, tmp);
  if (!r.ok) {
    if (REFLINK_UNSUPPORTED.has(r.errno ?? '')) {
      return `UNAVAILABLE: reflinks are not supported on this file system (${r.errno})`;
    }
    throw Object.assign(new Error(r.message ?? 'clone failed'), { code: r.errno });
  }
  try {
    // The clone copied whatever the kept name held: it must still be the verified file.
    const problem = await unchanged(keep, kept);
    if (problem) throw Object.assign(new Error(`the kept copy ${problem} while acting`), { code: 'CONFLICT' });
    await chmod(tmp, st.mode & 0o7777);
    if (process.getuid?.() === 0 || st.uid === process.getuid?.()) await chown(tmp, st.uid, st.gid).catch(() => undefined);
    await utimes(tmp, st.atime, st.mtime);
    await rename(tmp, victim);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return null;
}

function action(name: Buffer, bytes: number): FileAction {
  return { path: showPath(name).path, bytes, kind: 'file' };
}

/** Plans (dry run) or performs the action on one group. Returns the item and the bytes it freed. */
export async function actOnGroup(
  groupId: number,
  group: FoundGroup,
  opts: ActOptions,
): Promise<{ item: DupesActionItem; freed: number; removed: FoundFile[] }> {
  const keep = chooseKeep(group.files, opts.keep, opts.keepFolder);
  const victims = group.files.filter((f) => f !== keep);
  const acts: { file: FoundFile; name: Buffer; fa: FileAction }[] = [];
  for (const f of victims) f.names.forEach((n, k) => acts.push({ file: f, name: n, fa: action(n, k === 0 ? f.size : 0) }));
  const item: DupesActionItem = { groupId, keep: keep ? showPath(keep.names[0]).path : '', act: acts.map((a) => a.fa) };
  const removed: FoundFile[] = [];
  if (!keep) {
    for (const a of acts) Object.assign(a.fa, { outcome: 'skipped', message: `no copy of this group is under ${opts.keepFolder}` });
    return { item, freed: 0, removed };
  }
  if (opts.dryRun) return { item, freed: victims.reduce((s, f) => s + f.size, 0), removed };

  const keepName = keep.names[0];
  const keepProblem = await unchanged(keepName, keep);
  if (keepProblem) {
    for (const a of acts) {
      Object.assign(a.fa, { outcome: 'skipped', message: `CONFLICT: the kept copy ${item.keep} ${keepProblem}; nothing was done` });
    }
    return { item, freed: 0, removed };
  }
  let freed = 0;
  for (const f of victims) {
    const mine = acts.filter((a) => a.file === f);
    let done = 0;
    for (const a of mine) {
      const problem = await unchanged(a.name, f);
      if (problem) {
        Object.assign(a.fa, { outcome: 'skipped', message: `CONFLICT: ${a.fa.path} ${problem} since the search` });
        continue;
      }
      if (!(await sameBytes(keepName, a.name, f.size).catch(() => false))) {
        Object.assign(a.fa, { outcome: 'skipped', message: `CONFLICT: ${a.fa.path} no longer has the same content as ${item.keep}` });
        continue;
      }
      // The kept copy must still be there, unchanged, right before each victim goes.
      const again = await unchanged(keepName, keep);
      if (again) {
        Object.assign(a.fa, { outcome: 'skipped', message: `CONFLICT: the kept copy ${item.keep} ${again}` });
        continue;
      }
      try {
        if (opts.action === 'trash') {
          const r = await moveToTrash(a.name);
          Object.assign(a.fa, { outcome: 'done', message: `moved to ${r.trashedPath}` });
        } else if (opts.action === 'hardlink') {
          if (f.dev !== keep.dev) {
            Object.assign(a.fa, { outcome: 'skipped', message: 'EXDEV: on another file system than the kept copy; a hard link cannot cross it' });
            continue;
          }
          await replaceWithHardlink(keepName, a.name, keep);
          Object.assign(a.fa, { outcome: 'done', message: `now a hard link to ${item.keep}` });
        } else {
          if (!opts.addon) {
            Object.assign(a.fa, { outcome: 'skipped', message: `UNAVAILABLE: ${opts.addonReason ?? 'the native addon is not available'}` });
            continue;
          }
          const why = await replaceWithReflink(opts.addon, keepName, a.name, keep);
          if (why) {
            Object.assign(a.fa, { outcome: 'skipped', message: why });
            continue;
          }
          Object.assign(a.fa, { outcome: 'done', message: `now shares its blocks with ${item.keep}` });
        }
        done++;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const message =
          e.code === 'EXDEV'
            ? 'EXDEV: on another mount than the kept copy; a hard link cannot cross it'
            : `${e.code ?? 'ERROR'}: ${e.message}`;
        Object.assign(a.fa, { outcome: e.code === 'EXDEV' || e.code === 'CONFLICT' ? 'skipped' : 'failed', message });
      }
    }
    if (done === mine.length) {
      freed += f.size;
      removed.push(f);
    }
  }
  return { item, freed, removed };
}
