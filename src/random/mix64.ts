/**
 * 64-bit integer helpers on pairs of 32-bit words (hi, lo), used only for seeding: SplitMix64
 * (Steele, Lea & Flood 2014, the seeding generator recommended by the xoshiro authors) and its
 * output mixer. Pure 32-bit integer arithmetic, so every JavaScript engine gives the same bits.
 *
 * Results are returned through `out` (a 2-element Uint32Array: [hi, lo]) to avoid allocation.
 * Internal module: not re-exported from `nanolum/random`.
 */

/** SplitMix64's increment, the 64-bit golden ratio 0x9e3779b97f4a7c15. */
export const GOLDEN_HI = 0x9e3779b9;
/** Low word of the SplitMix64 increment. */
export const GOLDEN_LO = 0x7f4a7c15;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * (hi, lo) * (ch, cl) mod 2^64 into out.
 * @example
 * const o = new Uint32Array(2); mul64(0, 0xffffffff, 0, 2, o); // o = [1, 0xfffffffe]
 */
export function mul64(hi: number, lo: number, ch: number, cl: number, out: Uint32Array): void {
  const h = mulHi32(lo >>> 0, cl >>> 0) + Math.imul(hi, cl) + Math.imul(lo, ch);
  out[0] = h >>> 0;
  out[1] = Math.imul(lo, cl) >>> 0;
}

/**
 * (hi, lo) + (ch, cl) mod 2^64 into out.
 * @example
 * const o = new Uint32Array(2); add64(0, 0xffffffff, 0, 1, o); // o = [1, 0]
 */
export function add64(hi: number, lo: number, ch: number, cl: number, out: Uint32Array): void {
  const l = (lo >>> 0) + (cl >>> 0);
  const carry = l >= 0x100000000 ? 1 : 0;
  out[0] = ((hi >>> 0) + (ch >>> 0) + carry) >>> 0;
  out[1] = l >>> 0;
}

/** z ^ (z >>> s) for 0 < s < 32, into out. */
function xorShiftRight(hi: number, lo: number, s: number, out: Uint32Array): void {
  out[0] = (hi ^ (hi >>> s)) >>> 0;
  out[1] = (lo ^ ((lo >>> s) | (hi << (32 - s)))) >>> 0;
}

/**
 * SplitMix64's output function (Stafford's "Mix13"): a bijection of 64-bit words with full
 * avalanche. mix64(0) = 0, every other input maps to a well-scrambled word.
 * @example
 * const o = new Uint32Array(2); mix64(0x9e3779b9, 0x7f4a7c15, o); // [0xe220a839, 0x7b1dcdaf]
 */
export function mix64(hi: number, lo: number, out: Uint32Array): void {
  xorShiftRight(hi, lo, 30, out);
  mul64(out[0]!, out[1]!, 0xbf58476d, 0x1ce4e5b9, out);
  xorShiftRight(out[0]!, out[1]!, 27, out);
  mul64(out[0]!, out[1]!, 0x94d049bb, 0x133111eb, out);
  xorShiftRight(out[0]!, out[1]!, 31, out);
}

/**
 * Split a safe integer (|x| < 2^53) into the two 32-bit words of its 64-bit two's complement.
 * @example
 * const o = new Uint32Array(2); toWords(-1, o); // [0xffffffff, 0xffffffff]
 */
export function toWords(x: number, out: Uint32Array): void {
  const hi = Math.floor(x / 0x100000000);
  out[0] = hi >>> 0;
  out[1] = (x - hi * 0x100000000) >>> 0;
}
