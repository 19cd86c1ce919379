import { constants as C } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { ServiceError } from '../../contract/errors';
import { mountOf } from './health/mountinfo';

/**
 * The freedesktop.org Trash specification (1.0): a file on the home's file system goes to the
 * home trash ($XDG_DATA_HOME/Trash); a file on another mount goes to that mount's top-directory
 * trash ($topdir/.Trash/$uid when an admin made a sticky, non-symlink $topdir/.Trash, else
 * $topdir/.Trash-$uid). The .trashinfo is created first (O_EXCL reserves the name), then the file
 * is renamed into files/. Nothing is ever copied: a rename that crosses devices falls back to the
 * top-directory trash of the file's own mount.
 *
 * Paths may be given as Buffers so names that are not valid UTF-8 survive byte for byte; the
 * returned paths are strings for display (invalid bytes show as U+FFFD).
 */

export interface TrashResult {
  /** The trash folder used (holds files/ and info/). */
  trashDir: string;
  /** Where the item is now, inside files/. */
  trashedPath: string;
  /** Its .trashinfo file. */
  infoPath: string;
}

type PathLike = string | Buffer;

const SLASH = 0x2f;
/** The sticky bit (fs.constants lacks it). */
const S_ISVTX = 0o1000;

function toBuf(p: PathLike): Buffer {
  return typeof p === 'string' ? Buffer.from(p) : p;
}

function join(a: Buffer, b: Buffer | string): Buffer {
  const tail = toBuf(b);
  if (a.length && a[a.length - 1] === SLASH) return Buffer.concat([a, tail]);
  return Buffer.concat([a, Buffer.from('/'), tail]);
}

function splitPath(p: Buffer): { parent: Buffer; name: Buffer } {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  const trimmed = p.subarray(0, end);
  const slash = trimmed.lastIndexOf(SLASH);
  if (slash < 0) return { parent: Buffer.from('.'), name: trimmed };
  return { parent: slash === 0 ? Buffer.from('/') : trimmed.subarray(0, slash), name: trimmed.subarray(slash + 1) };
}

/** Percent-encodes bytes the way URLs escape them; "/" and RFC 3986 unreserved characters stay. */
export function encodeTrashPath(p: PathLike): string {
  let out = '';
  for (const byte of toBuf(p)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~/]/.test(ch)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of encodeTrashPath, to bytes. */
export function decodeTrashPath(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i]));
    }
  }
  return Buffer.from(bytes);
}

/** DeletionDate: local time, YYYY-MM-DDThh:mm:ss (the spec's RFC 3339 form without zone). */
export function deletionDate(d: Date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}` +
    `T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}

export function homeTrashDir(): string {
  const xdg = process.env.XDG_DATA_HOME;
  const dataHome = xdg && xdg.startsWith('/') ? xdg : `${process.env.HOME || homedir()}/.local/share`;
  return `${dataHome.replace(/\/+$/, '')}/Trash`;
}

async function devOfNearest(p: string): Promise<number | null> {
  let cur = p;
  for (;;) {
    try {
      return (await stat(cur)).dev;
    } catch {
      if (cur === '/' || cur === '') return null;
      const slash = cur.lastIndexOf('/');
      cur = slash <= 0 ? '/' : cur.slice(0, slash);
    }
  }
}

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** The mount's top directory of an item: the mount point holding its (symlink-free) parent. */
async function topdirOf(path: Buffer): Promise<string> {
  const { parent } = splitPath(path);
  const realParent = (await realpath(parent, { encoding: 'buffer' })).toString();
  const mount = mountOf(realParent);
  if (!mount) throw new ServiceError('UNAVAILABLE', `no mount found for ${realParent}`);
  return mount.mountPoint;
}

/** $topdir/.Trash/$uid when $topdir/.Trash is a sticky directory (not a symlink), else $topdir/.Trash-$uid. */
async function topdirTrash(topdir: string, create: boolean): Promise<string> {
  const base = topdir === '/' ? '' : topdir;
  const admin = `${base}/.Trash`;
  try {
    const st = await lstat(admin);
    if (st.isDirectory() && (st.mode & S_ISVTX) !== 0) {
      const dir = `${admin}/${uid()}`;
      if (create) await mkdir(dir, { mode: 0o700 }).catch(ignoreExists);
      const own = await lstat(dir);
      if (own.isDirectory() && !own.isSymbolicLink()) return dir;
    }
  } catch {
    // no usable admin trash: the per-user one below
  }
  const dir = `${base}/.Trash-${uid()}`;
  if (create) await mkdir(dir, { mode: 0o700 }).catch(ignoreExists);
  const st = await lstat(dir);
  if (!st.isDirectory() || st.isSymbolicLink() || st.uid !== uid()) {
    throw new ServiceError('EPERM', `${dir} is not a directory owned by uid ${uid()}; refusing to trash there`);
  }
  return dir;
}

function ignoreExists(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EEXIST') throw err;
}

/** The trash folder an item would go to (not created). */
export async function trashDirFor(path: PathLike): Promise<string> {
  const p = toBuf(path);
  const st = await lstat(p);
  const home = homeTrashDir();
  if ((await devOfNearest(home)) === st.dev) return home;
  return topdirTrash(await topdirOf(p), false).catch(async () => {
    const top = await topdirOf(p);
    return `${top === '/' ? '' : top}/.Trash-${uid()}`;
  });
}

/** Disk space used below a folder, in bytes, counted the way `du -B1` does (blocks). */
async function duBytes(dir: Buffer): Promise<number> {
  let total = 0;
  const stack: Buffer[] = [dir];
  while (stack.length) {
    const cur = stack.pop() as Buffer;
    let names: Buffer[];
    try {
      names = await readdir(cur, { encoding: 'buffer' });
    } catch {
      continue;
    }
    for (const name of names) {
      const child = join(cur, name);
      try {
        const st = await lstat(child);
        total += st.blocks * 512;
        if (st.isDirectory()) stack.push(child);
      } catch {
        // vanished meanwhile
      }
    }
  }
  return total;
}

/** Appends "size mtime name" to $trash/directorysizes, through a temporary file and a rename (the spec's way). */
async function recordDirectorySize(trashDir: string, name: Buffer, infoPath: Buffer): Promise<void> {
  const size = await duBytes(join(Buffer.from(`${trashDir}/files`), name));
  const mtime = Math.floor((await stat(infoPath)).mtimeMs / 1000);
  const file = `${trashDir}/directorysizes`;
  const old = await readFile(file, 'utf8').catch(() => '');
  const line = `${size} ${mtime} ${encodeTrashPath(name)}\n`;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, old + (old && !old.endsWith('\n') ? '\n' : '') + line, { mode: 0o600 });
  await rename(tmp, file);
}

async function moveInto(trashDir: string, path: Buffer, originalPath: Buffer): Promise<TrashResult> {
  await mkdir(`${trashDir}/files`, { recursive: true, mode: 0o700 });
  await mkdir(`${trashDir}/info`, { recursive: true, mode: 0o700 });
  const { name } = splitPath(path);
  const body = `[Trash Info]\nPath=${encodeTrashPath(originalPath)}\nDeletionDate=${deletionDate()}\n`;
  for (let n = 1; n < 100_000; n++) {
    const candidate = n === 1 ? name : Buffer.concat([name, Buffer.from(`.${n}`)]);
    const infoPath = join(Buffer.from(`${trashDir}/info`), Buffer.concat([candidate, Buffer.from('.trashinfo')]));
    const target = join(Buffer.from(`${trashDir}/files`), candidate);
    let fh;
    try {
      fh = await open(infoPath, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      await fh.writeFile(body);
    } finally {
      await fh.close();
    }
    // A leftover in files/ without its info (another tool crashed): do not overwrite it.
    const taken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (taken) {
      await unlink(infoPath).catch(() => undefined);
      continue;
    }
    try {
      await rename(path, target);
    } catch (err) {
      await unlink(infoPath).catch(() => undefined);
      throw err;
    }
    const isDir = (await lstat(target)).isDirectory();
    if (isDir) await recordDirectorySize(trashDir, candidate, infoPath).catch(() => undefined);
    return { trashDir, trashedPath: target.toString(), infoPath: infoPath.toString() };
  }
  throw new ServiceError('INTERNAL', `no free name in ${trashDir} for ${name.toString()}`);
}

/**
 * Moves a file or folder to the trash. Throws errno errors (ENOENT, EACCES, …) or ServiceError.
 */
export async function moveToTrash(path: PathLike): Promise<TrashResult> {
  const p = toBuf(path);
  if (p.length === 0 || p[0] !== SLASH) throw new ServiceError('INVALID_INPUT', 'give an absolute path to trash');
  const st = await lstat(p);
  const { parent, name } = splitPath(p);
  if (name.length === 0 || name.equals(Buffer.from('.')) || name.equals(Buffer.from('..'))) {
    throw new ServiceError('INVALID_INPUT', `cannot trash ${p.toString()}`);
  }
  const original = join(await realpath(parent, { encoding: 'buffer' }), name);
  const home = homeTrashDir();
  const homeReal = await realpath(home).catch(() => home);
  const orig = original.toString();
  if (orig === homeReal || orig.startsWith(`${homeReal}/`) || /\/\.Trash(-\d+)?(\/|$)/.test(orig)) {
    throw new ServiceError('INVALID_INPUT', `${orig} is a trash folder or already in the trash; empty the trash instead`);
  }
  if ((await devOfNearest(home)) === st.dev) {
    try {
      return await moveInto(home, p, original);
    } catch (err) {
      // Same device but another mount (a bind mount): rename says EXDEV; use the mount's own trash.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
  }
  const dir = await topdirTrash(await topdirOf(p), true);
  return moveInto(dir, p, original);
}
