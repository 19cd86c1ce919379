// Child process for the pager crash test: continues the deterministic transaction sequence from
// the last committed id and prints each id only after commit() returned (after the WAL fsync).
import { runCrashTxn } from './crash-txn';
import { openPager } from './file-pager';

const file = process.argv[2];
// directPages: 3 sends the new pages of most growing transactions past the WAL, into the main file.
const p = openPager(file, { cachePages: 16, checkpointPages: 40, directPages: 3 });
for (let t = p.getMeta(0) + 1; ; t++) {
  runCrashTxn(p, t);
  process.stdout.write(`${t}\n`);
}
