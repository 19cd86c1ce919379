import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputRing } from './ring';

/** The last `cap` bytes of `text`, advanced to the next character boundary. */
function tail(text: string, cap: number): string {
  const buf = Buffer.from(text);
  let cut = Math.max(0, buf.length - cap);
  while (cut < buf.length && (buf[cut] & 0xc0) === 0x80) cut++;
  return buf.subarray(cut).toString();
}

describe('OutputRing', () => {
  it('keeps everything while under capacity, in order', () => {
    const ring = new OutputRing(100);
    ring.push({ stream: 'stdout', data: 'hello ' });
    ring.push({ stream: 'stderr', data: 'oops ' });
    ring.push({ stream: 'stdout', data: 'wörld' });
    expect(ring.contents()).toEqual([
      { stream: 'stdout', data: 'hello ' },
      { stream: 'stderr', data: 'oops ' },
      { stream: 'stdout', data: 'wörld' },
    ]);
    expect(ring.keptBytes).toBe(17);
    expect(ring.droppedBytes).toBe(0);
  });

  it('cuts between characters, never inside one', () => {
    const ring = new OutputRing(5);
    ring.push({ stream: 'stdout', data: 'ab€€' }); // 2 + 3 + 3 bytes
    expect(ring.contents()).toEqual([{ stream: 'stdout', data: '€' }]);
    expect([ring.keptBytes, ring.droppedBytes]).toEqual([3, 5]);
  });

  it('when full keeps exactly the tail (in bytes) and counts what it dropped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.tuple(fc.boolean(), fc.string({ unit: 'grapheme', maxLength: 20 }))), (cap, pushes) => {
        const ring = new OutputRing(cap);
        let all = '';
        for (const [err, data] of pushes) {
          ring.push({ stream: err ? 'stderr' : 'stdout', data });
          all += data;
        }
        const kept = ring.contents().map((c) => c.data).join('');
        expect(kept).toBe(tail(all, cap));
        expect(ring.keptBytes).toBe(Buffer.byteLength(kept));
        expect(ring.keptBytes).toBeLessThanOrEqual(cap);
        expect(ring.droppedBytes).toBe(Buffer.byteLength(all) - ring.keptBytes);
        expect(ring.contents().every((c) => c.data.length > 0)).toBe(true);
      }),
    );
  });
});
