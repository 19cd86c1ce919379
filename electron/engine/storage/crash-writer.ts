// Child process for the crash test: commits numbered transactions and acknowledges each one on
// stdout only after COMMIT has returned (and therefore after the pager's WAL fsync).
import { Database } from '../database';

const file = process.argv[2];
const start = Number(process.argv[3]);
// A small checkpoint threshold makes kills land inside checkpoints too, not only inside commits; a
// small directPages sends the new pages of splits and overflow chains straight to the main file.
const db = Database.open(file, { checkpointPages: 64, directPages: 2 });
db.exec('CREATE TABLE IF NOT EXISTS tx(id INTEGER, part INTEGER, payload TEXT)');
db.exec('CREATE INDEX IF NOT EXISTS tx_id ON tx(id)');
for (let id = start; ; id++) {
  db.exec('BEGIN');
  // Every tenth transaction carries a payload larger than a page: overflow chains are crash-tested too.
  for (let part = 0; part < 5; part++) db.query('INSERT INTO tx VALUES(?, ?, ?)', [id, part, 'x'.repeat(id % 10 === 0 ? 6000 : 50 + ((id * 7 + part) % 200))]);
  // Deletes exercise merges and the free list: keep the table from growing without bound.
  if (id % 3 === 0) db.query('DELETE FROM tx WHERE id < ?', [id - 30]);
  db.exec('COMMIT');
  process.stdout.write(`${id}\n`);
}
