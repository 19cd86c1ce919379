// Child process for the crash test: commits numbered transactions and acknowledges each one on
// stdout only after COMMIT has returned (and therefore after the WAL fsync).
import { Database } from '../database';

const file = process.argv[2];
const start = Number(process.argv[3]);
const db = Database.open(file);
db.exec('CREATE TABLE IF NOT EXISTS tx(id INTEGER, part INTEGER, payload TEXT)');
for (let id = start; ; id++) {
  db.exec('BEGIN');
  for (let part = 0; part < 5; part++) db.query('INSERT INTO tx VALUES(?, ?, ?)', [id, part, 'x'.repeat(50 + ((id * 7 + part) % 200))]);
  db.exec('COMMIT');
  process.stdout.write(`${id}\n`);
}
