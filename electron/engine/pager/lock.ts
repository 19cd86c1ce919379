// One process per database: `<db>-lock` holds the owner's pid. It is made by hard-linking a
// finished temp file, so it never exists half-written and two openers cannot both create it. A lock
// whose pid no longer runs (the owner was killed) is stale and taken over. (Without flock, two
// processes taking over the same stale lock at the same instant can still race; documented.)
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { SqlError } from '../errors';

export function acquireLock(lockFile: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = `${lockFile}.${process.pid}`;
    writeFileSync(tmp, `${process.pid}\n`);
    try {
      linkSync(tmp, lockFile);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
    const owner = readOwner(lockFile);
    if (owner !== null && owner !== process.pid && alive(owner)) {
      throw new SqlError('SQL_ERROR', `database is locked: process ${owner} has it open (${lockFile})`);
    }
    if (owner === process.pid) throw new SqlError('SQL_ERROR', `database is locked: this process already has it open (${lockFile})`);
    try {
      unlinkSync(lockFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new SqlError('SQL_ERROR', `database is locked: could not take ${lockFile}`);
}

export function releaseLock(lockFile: string): void {
  try {
    if (readOwner(lockFile) === process.pid) unlinkSync(lockFile);
  } catch {
    // Already gone: nothing to release.
  }
}

function readOwner(lockFile: string): number | null {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
