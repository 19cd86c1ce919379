import type { ScanTree } from './tree';

/** What both walkers (native and the fs fallback) take and report. */
export interface WalkOptions {
  oneFileSystem: boolean;
  /** fnmatch(3) patterns on a name, or on the full path when they hold a "/". */
  excludes: string[];
  /** Regular files at least this large are classified by their first 512 bytes; -1: never. */
  classifyMinSize: number;
  /** (dev, ino) pairs counted elsewhere in the tree (a rescan of one folder): not counted again. */
  knownLinks?: BigUint64Array;
  /**
   * Native walker: at most this many folder descriptors kept open so subfolders open relative
   * to them (default and ceiling: a quarter of the fd limit, at most 256; 0: every folder by path).
   */
  keptFds?: number;
}

/** Counts kept while entries arrive, for progress and the summary. */
export interface WalkCounters {
  symlinks: number;
  hardLinksSkipped: number;
  errors: number;
  byContent: number;
  byExtension: number;
  currentPath: string;
}

export function newCounters(): WalkCounters {
  return { symlinks: 0, hardLinksSkipped: 0, errors: 0, byContent: 0, byExtension: 0, currentPath: '' };
}

export interface WalkTarget {
  tree: ScanTree;
  /** -1: the walk's root becomes the tree's root (index 0); else the folder being rescanned. */
  attach: number;
  counters: WalkCounters;
  /** An unreadable folder (name null) or an entry that could not be read under folder `node`. */
  onError(node: number, name: Buffer | null, message: string): void;
}

export interface RunningWalk {
  cancel(): void;
  /** Resolves when the walk is over (finished or cancelled); everything read is in the tree. */
  done: Promise<void>;
}

/** Default: classify by content the files that hold nearly all the bytes; small ones by name. */
export const CLASSIFY_MIN_SIZE = 64 * 1024;
