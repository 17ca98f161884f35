/**
 * A small pool of reusable float64 work buffers. Typed arrays above 64 bytes get an off-heap
 * backing store in V8, which is slow to allocate and to collect; the fitting engine takes its
 * work space here and hands out views. Fits are synchronous, and a fit started from inside a
 * model evaluation simply gets a fresh buffer, so sharing is safe.
 *
 * @module
 */

const pool: Float64Array[] = [];
const MAX_POOLED = 4;
/** Buffers above this many values are not kept after use (2 MB). */
const MAX_POOLED_LENGTH = 1 << 18;

/** A buffer of at least `size` values (taken from the pool when possible), zeroed unless `zero` is false. *
 * @example
 * const buf = acquireScratch(1000);
 * try { work(buf); } finally { releaseScratch(buf); }
 */
export function acquireScratch(size: number, zero = true): Float64Array {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const len = pool[i]!.length;
    if (len >= size && (best < 0 || len < pool[best]!.length)) best = i;
  }
  if (best >= 0) {
    const buf = pool[best]!;
    pool.splice(best, 1);
    if (zero) buf.fill(0, 0, size);
    return buf;
  }
  return new Float64Array(Math.max(size, 256));
}

/** Returns a buffer from `acquireScratch` to the pool. *
 * @example
 * releaseScratch(buf);
 */
export function releaseScratch(buf: Float64Array): void {
  if (buf.length > MAX_POOLED_LENGTH || pool.includes(buf)) return;
  if (pool.length >= MAX_POOLED) pool.shift();
  pool.push(buf);
}

/** Hands out consecutive views of one buffer. *
 * @example
 * const c = new Carver(acquireScratch(30));
 * const a = c.take(10), b = c.take(20);
 */
export class Carver {
  private offset = 0;
  constructor(readonly buffer: Float64Array) {}
  take(n: number): Float64Array {
    const a = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    if (this.offset > this.buffer.length)
      throw new Error('scratch buffer too small (internal error)');
    return a;
  }
}
