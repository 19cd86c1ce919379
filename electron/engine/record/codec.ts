import { Real, type Value } from './values';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Append-only byte writer; grows by doubling so encoding a million rows stays linear. */
export class ByteWriter {
  buf = Buffer.allocUnsafe(1 << 16);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    // Worst case 3 bytes per UTF-16 unit; write in place to avoid an intermediate array.
    this.ensure(4 + s.length * 3);
    const n = this.buf.write(s, this.len + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.len);
    this.len += 4 + n;
  }
  value(v: Value): void {
    if (v === null) this.u8(0);
    else if (typeof v === 'number') {
      this.u8(Number.isInteger(v) ? 1 : 2);
      this.f64(v);
    } else if (v instanceof Real) {
      this.u8(2);
      this.f64(v.v);
    } else if (typeof v === 'string') {
      this.u8(3);
      this.str(v);
    } else {
      this.u8(4);
      this.bytes(v);
    }
  }
  row(vals: Value[], width: number): void {
    this.u32(width);
    for (let i = 0; i < width; i++) this.value(vals[i]);
  }
  done(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export class ByteReader {
  pos = 0;
  constructor(private buf: Buffer) {}
  get left(): number {
    return this.buf.length - this.pos;
  }
  u8(): number {
    return this.buf[this.pos++];
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const b = new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
  str(): string {
    const n = this.u32();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  value(): Value {
    switch (this.u8()) {
      case 0:
        return null;
      case 1:
        return this.f64();
      case 2: {
        const x = this.f64();
        return Number.isInteger(x) ? new Real(x) : x;
      }
      case 3:
        return this.str();
      case 4:
        return this.bytes();
      default:
        throw new Error('corrupt record: unknown value tag');
    }
  }
  row(): Value[] {
    const n = this.u32();
    const out = new Array<Value>(n + 1);
    for (let i = 0; i < n; i++) out[i] = this.value();
    return out;
  }
}
void enc;
void dec;
