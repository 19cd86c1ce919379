import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * The write-ahead log: one frame per committed transaction. A frame is
 *   u32 payload length | u32 crc32(payload) | payload
 * and is only acknowledged after fsync, so a frame that fails its checksum was never acknowledged
 * and is dropped (with everything after it) on recovery.
 */
export class WriteAheadLog {
  private fd: number;
  size: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    this.size = fstatSync(this.fd).size;
  }

  /** Committed payloads in order; truncates a torn or corrupt tail so new frames follow good ones. */
  recover(): Buffer[] {
    const data = readFileSync(this.path);
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos + 8 <= data.length) {
      const len = data.readUInt32LE(pos);
      const sum = data.readUInt32LE(pos + 4);
      if (pos + 8 + len > data.length) break;
      const payload = data.subarray(pos + 8, pos + 8 + len);
      if (crc32(payload) !== sum) break;
      frames.push(payload);
      pos += 8 + len;
    }
    if (pos !== data.length) ftruncateSync(this.fd, pos);
    this.size = pos;
    return frames;
  }

  append(payload: Buffer): void {
    const head = Buffer.allocUnsafe(8);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt32LE(crc32(payload), 4);
    writeSync(this.fd, head, 0, 8, this.size);
    writeSync(this.fd, payload, 0, payload.length, this.size + 8);
    fsyncSync(this.fd);
    this.size += 8 + payload.length;
  }

  reset(): void {
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
    this.size = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
