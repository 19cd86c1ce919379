/** One piece of captured output, in the order it arrived. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: string;
}

interface Stored extends OutputChunk {
  bytes: number;
}

/** Drops at least `excess` UTF-8 bytes from the front of `data`, cutting only between characters. */
function dropFront(data: string, excess: number): { rest: string; dropped: number } {
  const buf = Buffer.from(data, 'utf8');
  let cut = Math.min(excess, buf.length);
  while (cut < buf.length && (buf[cut] & 0xc0) === 0x80) cut++;
  return { rest: buf.subarray(cut).toString('utf8'), dropped: cut };
}

/**
 * The tail of a command's output, bounded in UTF-8 bytes. When full, the oldest output goes
 * first (cut between characters, never inside one) and the dropped bytes are counted.
 */
export class OutputRing {
  private chunks: Stored[] = [];
  private head = 0;
  private kept = 0;
  private dropped = 0;

  constructor(readonly capacity = 1024 * 1024) {}

  push(chunk: OutputChunk): void {
    if (!chunk.data) return;
    let data = chunk.data;
    let bytes = Buffer.byteLength(data, 'utf8');
    if (bytes > this.capacity) {
      // This chunk alone fills the ring: everything before it goes.
      this.dropped += this.kept;
      this.kept = 0;
      this.chunks = [];
      this.head = 0;
      const d = dropFront(data, bytes - this.capacity);
      data = d.rest;
      this.dropped += d.dropped;
      bytes -= d.dropped;
      if (!data) return;
    }
    this.chunks.push({ stream: chunk.stream, data, bytes });
    this.kept += bytes;
    while (this.kept > this.capacity) {
      const first = this.chunks[this.head];
      const excess = this.kept - this.capacity;
      if (first.bytes <= excess) {
        this.kept -= first.bytes;
        this.dropped += first.bytes;
        this.head++;
      } else {
        const d = dropFront(first.data, excess);
        this.kept -= d.dropped;
        this.dropped += d.dropped;
        // Cutting at a character boundary may have taken the whole chunk.
        if (d.rest) this.chunks[this.head] = { stream: first.stream, data: d.rest, bytes: first.bytes - d.dropped };
        else this.head++;
      }
    }
    // Compact now and then so the array does not grow with every chunk ever dropped.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** What is kept, oldest first. */
  contents(): OutputChunk[] {
    return this.chunks.slice(this.head).map(({ stream, data }) => ({ stream, data }));
  }

  get keptBytes(): number {
    return this.kept;
  }

  get droppedBytes(): number {
    return this.dropped;
  }
}
