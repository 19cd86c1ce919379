import { z } from 'zod';
import { call, stream } from './core';

export const FILE_CATEGORIES = [
  'video',
  'image',
  'audio',
  'archive',
  'document',
  'code',
  'text',
  'binary',
  'database',
  'font',
  'other',
] as const;
export type FileCategory = (typeof FILE_CATEGORIES)[number];

export interface ScanProgress {
  scanId: string;
  root: string;
  files: number;
  dirs: number;
  apparentBytes: number;
  allocatedBytes: number;
  errors: number;
  elapsedMs: number;
  /** A directory being read now, for the progress line. */
  currentPath: string;
}

export interface ScanError {
  path: string;
  /** errno name and message, e.g. "EACCES: permission denied". */
  error: string;
}

export interface ScanSummary extends ScanProgress {
  /** false when the scan was cancelled: the totals are what was read before. */
  complete: boolean;
  symlinks: number;
  /** Files seen again through another hard link (counted once). */
  hardLinksSkipped: number;
  /** Memory the tree takes, divided by its entries. */
  bytesPerEntry: number;
  /** The first errors (unreadable folders and files), up to 200. */
  firstErrors: ScanError[];
  /** The last finished scan of the same root, for "what grew". */
  previous: { scannedAt: number; apparentBytes: number; allocatedBytes: number } | null;
  finishedAt: number;
}

export type ScanEvent =
  | { type: 'progress'; progress: ScanProgress }
  | { type: 'done'; summary: ScanSummary }
  | { type: 'failed'; code: string; message: string };

export interface DiskNode {
  /** Stable within one scan. */
  id: number;
  name: string;
  /** The raw name bytes in hex when they are not valid UTF-8 (`name` then shows U+FFFD). */
  nameHex: string | null;
  kind: 'dir' | 'file' | 'symlink' | 'other';
  apparentBytes: number;
  allocatedBytes: number;
  /** Files and folders below (0 for a file). */
  files: number;
  dirs: number;
  mtimeMs: number;
  /** For files: the category; for folders: the one holding most bytes below. */
  category: FileCategory;
  /** Lower-case extension without the dot, or "". */
  extension: string;
  /** Allocated bytes of the same path in the previous scan of this root; null when new or unknown. */
  previousAllocatedBytes: number | null;
  /** Why the folder could not be read, when it could not. */
  error: string | null;
  childCount: number;
  /** Filled to the asked depth, largest first. */
  children?: DiskNode[];
}

export interface DiskTree {
  scanId: string;
  /** The node asked for, with children to the asked depth. */
  node: DiskNode;
  path: string;
  /** From the scan root down to this node. */
  breadcrumbs: { id: number; name: string }[];
}

export interface TypeTotals {
  category: FileCategory;
  files: number;
  apparentBytes: number;
  allocatedBytes: number;
}

export interface ExtensionTotals extends TypeTotals {
  extension: string;
}

export interface TypeReport {
  scanId: string;
  nodeId: number;
  categories: TypeTotals[];
  /** Largest first, up to 100. */
  extensions: ExtensionTotals[];
  /** How many files were classified by content (magic bytes) and how many by extension only. */
  classifiedBy: { content: number; extension: number };
}

export interface FileAction {
  path: string;
  bytes: number;
  kind: DiskNode['kind'];
  /** Filled after acting: what happened to this path. */
  outcome?: 'done' | 'skipped' | 'failed';
  message?: string;
}

export interface ActionReport {
  dryRun: boolean;
  action: 'trash' | 'delete' | 'hardlink' | 'reflink';
  items: FileAction[];
  totalBytes: number;
  /** Where trashed items went (the freedesktop trash folder used). */
  trashDir?: string;
}

export interface DupFile {
  path: string;
  nameHex: string | null;
  dev: number;
  ino: number;
  mtimeMs: number;
  /** Other names of the same inode inside the scanned roots (listed once, not as duplicates). */
  hardLinks: string[];
}

export interface DupGroup {
  id: number;
  size: number;
  /** Full-content hash, hex. */
  hash: string;
  files: DupFile[];
  /** size × (files − 1). */
  wastedBytes: number;
}

export interface DupFolderPair {
  /** Two folders (or one, twice) sharing duplicate files. */
  folders: string[];
  groups: number;
  wastedBytes: number;
}

export interface DupesStats {
  filesSeen: number;
  sizeGroups: number;
  partialHashed: number;
  fullHashed: number;
  bytesHashed: number;
  cacheHits: number;
  elapsedMs: number;
}

export interface DupesResult {
  jobId: string;
  roots: string[];
  complete: boolean;
  groups: DupGroup[];
  byFolder: DupFolderPair[];
  wastedBytes: number;
  stats: DupesStats;
}

export type DupesEvent =
  | { type: 'progress'; stage: 'walk' | 'size' | 'partial' | 'full'; stats: DupesStats }
  | { type: 'done'; result: DupesResult }
  | { type: 'failed'; code: string; message: string };

export interface DupesActionItem {
  groupId: number;
  keep: string;
  act: FileAction[];
}

export interface DupesActionReport {
  dryRun: boolean;
  action: 'trash' | 'hardlink' | 'reflink';
  items: DupesActionItem[];
  bytesFreed: number;
}

export interface MountHealth {
  mountPoint: string;
  device: string;
  fsType: string;
  options: string;
  readOnly: boolean;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  inodesTotal: number;
  inodesUsed: number;
  /** Error counters the kernel exposes (ext4 errors_count, btrfs device stats, xfs). */
  errorCounters: { name: string; value: number }[];
  state: 'ok' | 'read-only' | 'errors' | 'full';
  /** Used bytes over time from history (bounded). */
  trend: { ts: number[]; usedBytes: number[]; inodesUsed: number[] };
  smart: { available: true; device: string; passed: boolean; summary: string } | { available: false; reason: string };
}

export interface FileActivity {
  ts: number;
  path: string;
  kind: 'create' | 'modify' | 'delete' | 'move-from' | 'move-to' | 'attrib' | 'close-write' | 'open' | 'overflow';
  isDir: boolean;
  /** fanotify only: who did it. */
  pid?: number;
  comm?: string;
}

export type WatchEvent =
  | { type: 'ready'; watches: number; limited: string | null }
  | { type: 'activity'; events: FileActivity[] }
  | { type: 'failed'; code: string; message: string };

const absPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/'), 'give an absolute path');
const scanId = z.string().regex(/^s[0-9a-z]+$/, 'not a scan id');
const jobId = z.string().regex(/^d[0-9a-z]+$/, 'not a duplicates job id');
const nodeId = z.number().int().nonnegative();
const excludes = z.array(z.string().min(1).max(1024)).max(256).default([]);

export const disk = {
  scan: call<{ scanId: string }>()(
    z.object({ root: absPath, oneFileSystem: z.boolean().default(false), excludes }).strict(),
    'Starts a scan of a folder in the background; follow it with scanProgress.',
  ),
  scanProgress: stream<ScanEvent>()(
    z.object({ scanId, intervalMs: z.number().int().min(50).max(10_000).default(250) }).strict(),
    'Progress of a scan, then its summary (also when cancelled, with the partial totals).',
  ),
  cancelScan: call<ScanSummary | null>()(z.object({ scanId }).strict(), 'Stops a scan, keeping what was read.'),
  refresh: call<{ scanId: string }>()(
    z.object({ scanId, nodeId }).strict(),
    'Rescans one folder of a finished scan and splices it into the tree; follow it with scanProgress.',
  ),
  scans: call<ScanSummary[]>()(z.object({}).strict().optional(), 'Scans held in memory (finished or running).'),
  tree: call<DiskTree>()(
    z
      .object({
        scanId,
        nodeId: nodeId.optional(),
        depth: z.number().int().min(1).max(6).default(2),
        /** Children kept per folder, largest first; the rest are summed into the parent. */
        limit: z.number().int().min(1).max(5000).default(200),
        sort: z.enum(['allocated', 'apparent', 'name', 'files', 'mtime', 'growth']).default('allocated'),
      })
      .strict(),
    'A folder of a scan with its children to a depth, for the treemap and the folder list.',
  ),
  types: call<TypeReport>()(
    z.object({ scanId, nodeId: nodeId.optional() }).strict(),
    'Totals by file category (content first, extension as fallback) and by extension under a folder.',
  ),
  trash: call<ActionReport>()(
    z.object({ scanId, nodeIds: z.array(nodeId).min(1).max(10_000), dryRun: z.boolean() }).strict(),
    'Moves files and folders of a scan to the freedesktop trash (dry run: says exactly what and how much).',
  ),
  delete: call<ActionReport>()(
    z.object({ scanId, nodeIds: z.array(nodeId).min(1).max(10_000), dryRun: z.boolean() }).strict(),
    'Deletes files and folders of a scan for good (dry run: says exactly what and how much).',
  ),
  reveal: call<{ opened: string }>()(
    z.object({ scanId, nodeId }).strict(),
    'Opens the folder containing a node in the desktop file manager.',
  ),
  dupes: call<{ jobId: string }>()(
    z
      .object({
        roots: z.array(absPath).min(1).max(32),
        minSize: z.number().int().min(0).default(1),
        oneFileSystem: z.boolean().default(false),
        excludes,
      })
      .strict(),
    'Starts a duplicate search (size, then first and last blocks, then full hash); follow it with dupesProgress.',
  ),
  dupesProgress: stream<DupesEvent>()(
    z.object({ jobId, intervalMs: z.number().int().min(50).max(10_000).default(250) }).strict(),
    'Progress of a duplicate search by stage, then its groups.',
  ),
  cancelDupes: call<DupesResult | null>()(z.object({ jobId }).strict(), 'Stops a duplicate search, keeping the groups confirmed so far.'),
  dupesAct: call<DupesActionReport>()(
    z
      .object({
        jobId,
        groupIds: z.array(z.number().int().nonnegative()).min(1).max(100_000),
        action: z.enum(['trash', 'hardlink', 'reflink']),
        keep: z.enum(['newest', 'oldest', 'shortest-path', 'in-folder']),
        /** With keep "in-folder": the copy under this folder is kept. */
        keepFolder: absPath.optional(),
        dryRun: z.boolean(),
      })
      .strict()
      .refine((v) => v.keep !== 'in-folder' || v.keepFolder !== undefined, 'keep "in-folder" needs keepFolder'),
    'Acts on duplicate groups, keeping one copy each; content is verified again right before acting.',
  ),
  mounts: call<MountHealth[]>()(
    z.object({ trendSeconds: z.number().int().min(60).max(90 * 86_400).default(86_400) }).strict().optional(),
    'Mounted file systems with usage, inode usage, trends, error state and SMART status.',
  ),
  watch: stream<WatchEvent>()(
    z.object({ path: absPath, maxWatches: z.number().int().min(1).max(100_000).default(8192) }).strict(),
    'Changes under a folder (inotify, recursive up to maxWatches folders), batched.',
  ),
  fileAccess: stream<WatchEvent>()(
    z.object({ path: absPath.default('/') }).strict(),
    'System-wide: which process opened or wrote which file on the mount of path (fanotify; needs privilege).',
  ),
};
