import { FILE_CATEGORIES, type DiskNode, type FileCategory } from '../../../contract/disk';

/**
 * A scan's tree in column arrays: about 53 bytes per entry plus its name bytes, instead of a JS
 * object per file (~200+ bytes). Node indexes are the DiskNode ids. A parent always has a lower
 * index than its children (walkers publish a folder before reading it), so one reverse pass rolls
 * anything up. Folder totals are kept up to date as entries arrive (added up the ancestor chain),
 * so a cancelled or running scan's tree is always consistent.
 */
export const KIND = { dir: 0, file: 1, symlink: 2, other: 3 } as const;
export const KIND_NAMES: DiskNode['kind'][] = ['dir', 'file', 'symlink', 'other'];
export const FLAG = { hardLinkSeen: 1, byContent: 2, removed: 4 } as const;
export const CATEGORY_OTHER = FILE_CATEGORIES.indexOf('other');

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');

export class ScanTree {
  size = 0;
  parent = new Int32Array(0);
  firstChild = new Int32Array(0);
  nextSibling = new Int32Array(0);
  apparent = new Float64Array(0);
  allocated = new Float64Array(0);
  mtime = new Float64Array(0);
  /** Files and folders below (folders only). */
  files = new Uint32Array(0);
  dirs = new Uint32Array(0);
  nameOff = new Uint32Array(0);
  nameLen = new Uint16Array(0);
  kind = new Uint8Array(0);
  category = new Uint8Array(0);
  flags = new Uint8Array(0);
  names = Buffer.alloc(0);
  namesUsed = 0;
  /** Why a folder could not be read, by node. */
  errors = new Map<number, string>();
  /** (dev, ino) of files with more than one link, by node: few, and needed to rescan a folder. */
  linkKeys = new Map<number, [bigint, bigint]>();

  /** rootPath: the scanned folder's absolute path, as bytes. */
  constructor(
    readonly rootPath: Buffer,
    capacity = 1024,
  ) {
    this.grow(capacity);
  }

  private grow(min: number) {
    this.resize(Math.max(min, Math.ceil(this.parent.length * 1.5), 1024));
  }

  private resize(cap: number) {
    const re = <T extends Int32Array | Uint32Array | Float64Array | Uint16Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a.subarray(0, this.size) as never);
      return b;
    };
    this.parent = re(this.parent);
    this.firstChild = re(this.firstChild);
    this.nextSibling = re(this.nextSibling);
    this.apparent = re(this.apparent);
    this.allocated = re(this.allocated);
    this.mtime = re(this.mtime);
    this.files = re(this.files);
    this.dirs = re(this.dirs);
    this.nameOff = re(this.nameOff);
    this.nameLen = re(this.nameLen);
    this.kind = re(this.kind);
    this.category = re(this.category);
    this.flags = re(this.flags);
  }

  /** Room for n more entries and nameBytes more name bytes. */
  reserve(n: number, nameBytes: number) {
    if (this.size + n > this.parent.length) this.grow(this.size + n);
    if (this.namesUsed + nameBytes > this.names.length) {
      const b = Buffer.allocUnsafe(Math.max(this.namesUsed + nameBytes, Math.ceil(this.names.length * 1.5), 16384));
      this.names.copy(b, 0, 0, this.namesUsed);
      this.names = b;
    }
  }

  /** Appends name bytes to the arena; returns their offset. */
  appendNames(src: Buffer, start = 0, end = src.length): number {
    this.reserve(0, end - start);
    const off = this.namesUsed;
    src.copy(this.names, off, start, end);
    this.namesUsed += end - start;
    return off;
  }

  /**
   * Adds one entry under parent (-1: the root) without touching ancestor totals; the caller adds
   * them (per batch, see addUp). Returns the new index.
   */
  push(parent: number, nameOff: number, nameLen: number, kind: number, category: number, flags: number, apparent: number, allocated: number, mtime: number): number {
    if (this.size === this.parent.length) this.grow(this.size + 1);
    const i = this.size++;
    this.parent[i] = parent;
    this.firstChild[i] = -1;
    this.nextSibling[i] = -1;
    if (parent >= 0) {
      this.nextSibling[i] = this.firstChild[parent];
      this.firstChild[parent] = i;
    }
    this.apparent[i] = apparent;
    this.allocated[i] = allocated;
    this.mtime[i] = mtime;
    this.files[i] = 0;
    this.dirs[i] = 0;
    this.nameOff[i] = nameOff;
    this.nameLen[i] = nameLen;
    this.kind[i] = kind;
    this.category[i] = category;
    this.flags[i] = flags;
    return i;
  }

  /** Adds totals to node i and every folder above it. */
  addUp(i: number, apparent: number, allocated: number, files: number, dirs: number) {
    for (let p = i; p >= 0; p = this.parent[p]) {
      this.apparent[p] += apparent;
      this.allocated[p] += allocated;
      this.files[p] += files;
      this.dirs[p] += dirs;
    }
  }

  /** True when the node exists and neither it nor a folder above it was removed. */
  isLive(i: number): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return false;
    for (let p = i; p >= 0; p = this.parent[p]) if (this.flags[p] & FLAG.removed) return false;
    return true;
  }

  children(i: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild[i]; c >= 0; c = this.nextSibling[c]) out.push(c);
    return out;
  }

  childCount(i: number): number {
    let n = 0;
    for (let c = this.firstChild[i]; c >= 0; c = this.nextSibling[c]) n++;
    return n;
  }

  nameBytes(i: number): Buffer {
    return this.names.subarray(this.nameOff[i], this.nameOff[i] + this.nameLen[i]);
  }

  /** The name for display and, when it is not valid UTF-8, its bytes in hex. */
  displayName(i: number): { name: string; nameHex: string | null } {
    if (i === 0) return decodeName(this.rootPath);
    return decodeName(this.nameBytes(i));
  }

  /** From the root down to i. */
  chain(i: number): number[] {
    const out: number[] = [];
    for (let p = i; p >= 0; p = this.parent[p]) out.push(p);
    return out.reverse();
  }

  /** The absolute path as bytes (names need not be UTF-8). */
  pathBytes(i: number): Buffer {
    const chain = this.chain(i);
    const parts: Buffer[] = [this.rootPath];
    const slash = Buffer.from('/');
    for (let k = 1; k < chain.length; k++) {
      if (k > 1 || this.rootPath[this.rootPath.length - 1] !== 0x2f) parts.push(slash);
      parts.push(this.nameBytes(chain[k]));
    }
    return Buffer.concat(parts);
  }

  path(i: number): string {
    return utf8Lossy.decode(this.pathBytes(i));
  }

  /** Lower-case extension of a file's name without the dot, or "". */
  extension(i: number): string {
    if (this.kind[i] === KIND.dir) return '';
    const off = this.nameOff[i];
    const len = this.nameLen[i];
    let dot = -1;
    for (let k = len - 1; k > 0 && len - k <= 12; k--) {
      if (this.names[off + k] === 0x2e) {
        dot = k;
        break;
      }
    }
    if (dot <= 0 || dot === len - 1) return '';
    return utf8Lossy.decode(this.names.subarray(off + dot + 1, off + len)).toLowerCase();
  }

  /** Unlinks node i from its parent and takes its totals out of every folder above. */
  remove(i: number) {
    const p = this.parent[i];
    if (p < 0) throw new Error('the root cannot be removed');
    const isDir = this.kind[i] === KIND.dir;
    this.addUp(p, -this.apparent[i], -this.allocated[i], -(isDir ? this.files[i] : 1), -(isDir ? this.dirs[i] + 1 : 0));
    this.unlink(i);
    this.flags[i] |= FLAG.removed;
  }

  /**
   * After removing subtree `removed`: an inode whose bytes were counted under a name inside it and
   * that still has a name elsewhere in the tree gets its bytes counted there, as du would.
   */
  recountLinksAfterRemoval(removed: number) {
    if (this.linkKeys.size === 0) return;
    const inside = (i: number) => {
      for (let p = i; p >= 0; p = this.parent[p]) if (p === removed) return true;
      return false;
    };
    const gone = new Map<string, number>();
    const others = new Map<string, number[]>();
    for (const [i, [dev, ino]] of this.linkKeys) {
      const key = `${dev}:${ino}`;
      if (inside(i)) {
        if (!(this.flags[i] & FLAG.hardLinkSeen)) gone.set(key, i);
      } else if (this.isLive(i)) {
        others.set(key, [...(others.get(key) ?? []), i]);
      }
    }
    for (const [key, from] of gone) {
      const to = others.get(key)?.[0];
      if (to === undefined) continue;
      this.flags[to] &= ~FLAG.hardLinkSeen;
      this.apparent[to] = this.apparent[from];
      this.allocated[to] = this.allocated[from];
      this.addUp(this.parent[to], this.apparent[from], this.allocated[from], 0, 0);
    }
  }

  private unlink(i: number) {
    const p = this.parent[i];
    if (this.firstChild[p] === i) {
      this.firstChild[p] = this.nextSibling[i];
    } else {
      for (let c = this.firstChild[p]; c >= 0; c = this.nextSibling[c]) {
        if (this.nextSibling[c] === i) {
          this.nextSibling[c] = this.nextSibling[i];
          break;
        }
      }
    }
  }

  /**
   * Empties folder i for a rescan: its children are unlinked (their indexes become dead) and its
   * totals, its own size included, are taken out of it and every folder above.
   */
  clearFolder(i: number) {
    const isRoot = this.parent[i] < 0;
    if (!isRoot) this.addUp(this.parent[i], -this.apparent[i], -this.allocated[i], -this.files[i], -this.dirs[i]);
    for (let c = this.firstChild[i]; c >= 0; c = this.nextSibling[c]) this.flags[c] |= FLAG.removed;
    this.firstChild[i] = -1;
    this.apparent[i] = 0;
    this.allocated[i] = 0;
    this.files[i] = 0;
    this.dirs[i] = 0;
    this.errors.delete(i);
  }

  /** Marks every node below a removed one, so one pass can skip them (index order = parent first). */
  deadMask(): Uint8Array {
    const dead = new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const p = this.parent[i];
      dead[i] = this.flags[i] & FLAG.removed || (p >= 0 && dead[p]) ? 1 : 0;
    }
    return dead;
  }

  /** Set when a walk ends or entries go: folder categories are worked out again on first use. */
  private folderCategoriesDue = false;

  /**
   * Folder categories go stale (after a walk, a refresh, a removal). They are computed when a
   * folder's category is first asked for: not on the way to reporting a scan done, and never by
   * `vantage du`, which does not show them. While a walk runs, folders stay "other".
   */
  invalidateFolderCategories() {
    this.folderCategoriesDue = true;
  }

  /** Each folder's category: the one holding most allocated bytes below it. */
  computeFolderCategories() {
    this.folderCategoriesDue = false;
    const n = this.size;
    const dead = this.deadMask();
    const slot = new Int32Array(n).fill(-1);
    let dirs = 0;
    for (let i = 0; i < n; i++) if (this.kind[i] === KIND.dir && !dead[i]) slot[i] = dirs++;
    const K = FILE_CATEGORIES.length;
    const sums = new Float64Array(dirs * K);
    for (let i = n - 1; i >= 0; i--) {
      if (dead[i]) continue;
      const p = this.parent[i];
      if (this.kind[i] === KIND.dir) {
        const s = slot[i] * K;
        let best = CATEGORY_OTHER;
        let bestBytes = 0;
        for (let k = 0; k < K; k++) {
          if (sums[s + k] > bestBytes) {
            bestBytes = sums[s + k];
            best = k;
          }
        }
        this.category[i] = best;
        if (p >= 0) for (let k = 0; k < K; k++) sums[slot[p] * K + k] += sums[s + k];
      } else if (p >= 0) {
        // Apparent bytes when nothing is allocated (sparse or inline files) still tell the mix.
        sums[slot[p] * K + this.category[i]] += this.allocated[i] || this.apparent[i] * 1e-9;
      }
    }
  }

  /** Memory the tree holds (capacity, not just the used part), per live entry. */
  bytesPerEntry(): number {
    const arrays = [
      this.parent,
      this.firstChild,
      this.nextSibling,
      this.apparent,
      this.allocated,
      this.mtime,
      this.files,
      this.dirs,
      this.nameOff,
      this.nameLen,
      this.kind,
      this.category,
      this.flags,
    ];
    const bytes = arrays.reduce((s, a) => s + a.byteLength, 0) + this.names.length;
    return this.size ? bytes / this.size : 0;
  }

  /** Drops spare capacity once a walk is over. */
  trim() {
    if (this.parent.length > this.size) this.resize(this.size);
    if (this.names.length > this.namesUsed) this.names = Buffer.from(this.names.subarray(0, this.namesUsed));
  }

  categoryName(i: number): FileCategory {
    if (this.folderCategoriesDue && this.kind[i] === KIND.dir) this.computeFolderCategories();
    return FILE_CATEGORIES[this.category[i]] ?? 'other';
  }
}

export function decodeName(bytes: Buffer): { name: string; nameHex: string | null } {
  try {
    return { name: utf8.decode(bytes), nameHex: null };
  } catch {
    return { name: utf8Lossy.decode(bytes), nameHex: bytes.toString('hex') };
  }
}
