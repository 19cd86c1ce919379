import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter } from '../record/codec';
import type { Value } from '../record/values';

/**
 * The main database file holds the state as of the last checkpoint:
 *   8 bytes magic "VNTGDB01" | u32 crc32(body) | u32 reserved 0 | body
 * body: entries, each u8 kind then
 *   kind 1 (schema): str SQL                 — replayed in order
 *   kind 2 (rows):   str table, u32 count, count × (f64 rowid, row)
 * Written to `<db>.tmp`, fsynced and renamed over the old file, so a crash leaves one or the other.
 */
const MAGIC = Buffer.from('VNTGDB01');

export type SnapshotEntry = { kind: 'schema'; sql: string } | { kind: 'rows'; table: string; rows: Iterable<[number, Value[]]>; width: number };

export function writeSnapshot(file: string, entries: SnapshotEntry[]): void {
  const w = new ByteWriter();
  for (const e of entries) {
    if (e.kind === 'schema') {
      w.u8(1);
      w.str(e.sql);
    } else {
      w.u8(2);
      w.str(e.table);
      const countAt = w.len;
      w.u32(0);
      let n = 0;
      for (const [rowid, row] of e.rows) {
        w.f64(rowid);
        w.row(row, e.width);
        n++;
      }
      w.buf.writeUInt32LE(n, countAt);
    }
  }
  const body = w.done();
  const head = Buffer.alloc(16);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(crc32(body), 8);
  const tmp = file + '.tmp';
  const fd = openSync(tmp, 'w');
  writeSync(fd, head);
  writeSync(fd, body);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
  const dir = openSync(path.dirname(path.resolve(file)), 'r');
  fsyncSync(dir);
  closeSync(dir);
}

export type LoadedEntry = { kind: 'schema'; sql: string } | { kind: 'rows'; table: string; rows: [number, Value[]][] };

export function readSnapshot(file: string): LoadedEntry[] {
  if (!existsSync(file)) return [];
  const data = readFileSync(file);
  if (data.length === 0) return [];
  if (data.length < 16 || !data.subarray(0, 8).equals(MAGIC)) throw new Error(`${file} is not a Vantage database`);
  const body = data.subarray(16);
  if (crc32(body) !== data.readUInt32LE(8)) throw new Error(`${file}: checksum mismatch, the database file is corrupt`);
  const r = new ByteReader(body);
  const out: LoadedEntry[] = [];
  while (r.left > 0) {
    const kind = r.u8();
    if (kind === 1) out.push({ kind: 'schema', sql: r.str() });
    else {
      const table = r.str();
      const n = r.u32();
      const rows: [number, Value[]][] = new Array(n);
      for (let i = 0; i < n; i++) {
        const rowid = r.f64();
        rows[i] = [rowid, r.row()];
      }
      out.push({ kind: 'rows', table, rows });
    }
  }
  return out;
}
