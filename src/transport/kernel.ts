/**
 * The hot loop of the lattice Monte Carlo. Pure and self-contained (no imports), so that it runs
 * the same in the main thread and in worker threads, and so that `bench/transport-peer.py` can
 * mirror it line by line.
 *
 * Algorithm (exact for the per-step model): in a state whose competing events have total
 * probability P per step, nothing happens for K ~ Geometric(P) steps, then one event happens,
 * chosen in proportion to its probability. For large P (>= STEP_MODE_THRESHOLD) the kernel simply
 * draws one number per step (cheaper than a logarithm); for small P (dark excitons) it samples K
 * directly, which skips the long idle stretches. Both give the same distribution of histories.
 *
 * Random numbers: xoshiro128** (Blackman & Vigna), one 128-bit state per chunk of
 * CHUNK_WALKERS walkers, so results do not depend on how chunks are spread over workers.
 * Every draw is one 32-bit output; events are chosen by comparing it with precomputed
 * cumulative thresholds in units of 2^-32.
 *
 * Lookup tables (built once per parameter set, see `stepGuide`, `geometricTables`,
 * `aliasGuide`) make the common draws cheap without changing any outcome: a draw u maps to the
 * same event, waiting time or position as the threshold search / logarithm / alias rule would
 * give, because a table entry is only used where that rule is constant over the whole bucket of
 * u values (otherwise the kernel falls back to the rule itself). The waiting time
 * K = floor(log(U) / log(1 - P)) is a non-increasing step function of u, so it is read from its
 * breakpoints instead of computing a logarithm.
 */

/** Walkers per random stream. */
export const CHUNK_WALKERS = 8192;
/** States with a total event probability per step at or above this use one draw per step. */
export const STEP_MODE_THRESHOLD = 0.125;

/** Event indices in the bright table [emit, ->dark, ->trap, hop 0 .. z-1]; dark table [emit, ->bright]; trapped [emit]. */
export const EV_EMIT = 0;
export const EV_TO_DARK = 1;
export const EV_TO_TRAP = 2;
/** Hop to target k has index EV_HOP + k in the bright table. */
export const EV_HOP = 3;
/** Step and geometric guides are indexed by the top 12 bits of a draw (u >>> 20). */
export const GUIDE_SHIFT = 20;
/** The alias guide is indexed by the top 14 bits of a draw (u >>> 18). */
export const ALIAS_GUIDE_SHIFT = 18;
/** Alias-guide entry meaning "apply the alias rule" (the bucket spans two outcomes). */
export const ALIAS_GUIDE_MISS = -32768;
/** Geometric waiting-time tables are built for runs of at most this many steps (else logarithms). */
export const GEOM_TABLE_MAX_STEPS = 65536;

/** Everything the kernel needs, as plain structured-clonable data. */
export interface KernelConfig {
  dimension: number;
  steps: number;
  walkers: number;
  /** Initial state thresholds (2^-32 units): u < brightThr -> bright, < trappedThr -> trapped, else dark. */
  brightThr: number;
  trappedThr: number;
  /** Alias table of the rounded Gaussian initial position per axis, values offset by -aliasCentre. */
  aliasProb: Float64Array;
  aliasIndex: Int32Array;
  aliasCentre: number;
  /** Hop offsets per target (length z each; dz all 0 in 2-D). */
  dx: Int32Array;
  dy: Int32Array;
  dz: Int32Array;
  /**
   * Bright-state tables per site (one site when the lattice is uniform): nEvB = 3 + z events
   * [emit, ->dark, ->trap, hop 0..z-1]; thresholds cumulative in 2^-32 units (stepThr) and
   * normalised by P (geomThr); P per site and log(1 - P).
   */
  nEvB: number;
  bStepThr: Float64Array;
  bGeomThr: Float64Array;
  bP: Float64Array;
  bLog1mP: Float64Array;
  /** Dark: [emit, ->bright]; trapped: [emit]. Same layout, one site. */
  dStepThr: Float64Array;
  dGeomThr: Float64Array;
  dP: number;
  dLog1mP: number;
  tStepThr: Float64Array;
  tGeomThr: Float64Array;
  tP: number;
  tLog1mP: number;
  /** Periodic lattice edge (0 = uniform infinite lattice) and vacancy map (1 = empty site). */
  latticeSize: number;
  vacancy: Uint8Array;
  /** PL(x, t) histogram half width in sites (x from -half .. half). */
  profileHalfWidth: number;
  /** Stream states, 4 uint32 per chunk. */
  streams: Uint32Array;
  /** Initial position per axis by the top 14 bits of the draw, or ALIAS_GUIDE_MISS (see `aliasGuide`). */
  aliasGuide: Int16Array;
  /**
   * Uniform lattice with the bright state in step mode: the outcome of a step by the top 12 bits
   * of the draw (event index, nEvB = nothing happens, -1 = search the thresholds); else empty.
   */
  bStepGuide: Int8Array;
  /**
   * Waiting-time tables (see `geometricTables`) of the states in geometric mode - bright only on
   * a uniform lattice; empty where not used or when steps > GEOM_TABLE_MAX_STEPS (logarithm).
   */
  bGeomSurv: Float64Array;
  bGeomTop: Int32Array;
  dGeomSurv: Float64Array;
  dGeomTop: Int32Array;
  tGeomSurv: Float64Array;
  tGeomTop: Int32Array;
}

/** Per-step sums filled by the kernel; add two of them with `addAccumulators`. */
export interface Accumulators {
  steps: number;
  dimension: number;
  /** Emissions per step, and by the emitting state (bright, dark, trapped). */
  count: Float64Array;
  countBright: Float64Array;
  countDark: Float64Array;
  countTrapped: Float64Array;
  /** Per axis a: sums of x^k over emitters at step n, at [a * steps + n]. */
  s1: Float64Array;
  s2: Float64Array;
  s3: Float64Array;
  s4: Float64Array;
  /** Sum over emitters of |r - r0|^2 and its square. */
  r2: Float64Array;
  r4: Float64Array;
  /** PL(x, t): [n * (2 half + 1) + x + half]; emissions outside the window counted in `outside`. */
  hist: Float64Array;
  outside: Float64Array;
  /** Sums over all created excitons of x0 and x0^2 per axis. */
  init1: Float64Array;
  init2: Float64Array;
  created: number;
  /** Excitons still alive after the last step. */
  survivors: number;
}

/**
 * Fresh zeroed accumulators.
 *
 * @example
 * const acc = createAccumulators(300, 2, 60);
 */
export function createAccumulators(
  steps: number,
  dimension: number,
  profileHalfWidth: number,
): Accumulators {
  const nx = profileHalfWidth >= 0 ? 2 * profileHalfWidth + 1 : 0;
  return {
    steps,
    dimension,
    count: new Float64Array(steps),
    countBright: new Float64Array(steps),
    countDark: new Float64Array(steps),
    countTrapped: new Float64Array(steps),
    s1: new Float64Array(dimension * steps),
    s2: new Float64Array(dimension * steps),
    s3: new Float64Array(dimension * steps),
    s4: new Float64Array(dimension * steps),
    r2: new Float64Array(steps),
    r4: new Float64Array(steps),
    hist: new Float64Array(steps * nx),
    outside: new Float64Array(steps),
    init1: new Float64Array(dimension),
    init2: new Float64Array(dimension),
    created: 0,
    survivors: 0,
  };
}

/**
 * a += b (element-wise). Sums of integers below 2^53 are exact, so the order does not matter.
 *
 * @example
 * addAccumulators(total, partFromWorker);
 */
export function addAccumulators(a: Accumulators, b: Accumulators): void {
  const keys = [
    'count',
    'countBright',
    'countDark',
    'countTrapped',
    's1',
    's2',
    's3',
    's4',
    'r2',
    'r4',
    'hist',
    'outside',
    'init1',
    'init2',
  ] as const;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    for (let i = 0; i < x.length; i++) x[i] += y[i];
  }
  a.created += b.created;
  a.survivors += b.survivors;
}

const INV32 = 1 / 4294967296;
const BUCKETS = 2 ** (32 - GUIDE_SHIFT);
const BUCKET_WIDTH = 2 ** GUIDE_SHIFT;
const ALIAS_BUCKETS = 2 ** (32 - ALIAS_GUIDE_SHIFT);
const ALIAS_BUCKET_WIDTH = 2 ** ALIAS_GUIDE_SHIFT;

/** Outcome of one step-mode draw u: nEv when u >= the total threshold, else the first e with u < thr[e]. */
function stepOutcome(stepThr: Float64Array, base: number, nEv: number, u: number): number {
  if (u >= stepThr[base + nEv - 1]) return nEv;
  let e = 0;
  while (u >= stepThr[base + e]) e++;
  return e;
}

/**
 * Guide of a step-mode state (thresholds `stepThr[base .. base + nEv - 1]`): for each of the
 * 4096 buckets of u >>> GUIDE_SHIFT, the outcome (event index, or nEv for "nothing happens")
 * when it is the same for every u in the bucket, else -1. The outcome is monotone in u, so
 * comparing the bucket's two ends is enough.
 *
 * @example
 * const g = stepGuide(cfg.bStepThr, 0, cfg.nEvB); // g[u >>> 20]
 */
export function stepGuide(stepThr: Float64Array, base: number, nEv: number): Int8Array {
  if (nEv > 126) throw new RangeError(`stepGuide: at most 126 events, got ${nEv}`);
  const g = new Int8Array(BUCKETS);
  for (let b = 0; b < BUCKETS; b++) {
    const lo = b * BUCKET_WIDTH;
    const a = stepOutcome(stepThr, base, nEv, lo);
    g[b] = a === stepOutcome(stepThr, base, nEv, lo + BUCKET_WIDTH - 1) ? a : -1;
  }
  return g;
}

/** The waiting time of the geometric mode: K = floor(log((u + 1) 2^-32) / log(1 - P)). */
function geometricK(u: number, log1mP: number): number {
  return Math.floor(Math.log((u + 1) * INV32) / log1mP);
}

/**
 * Breakpoints of the geometric waiting time K(u) = floor(log((u + 1) 2^-32) / log(1 - P)), a
 * non-increasing function of the 32-bit draw u: `surv[k]` is the largest u with K(u) >= k
 * (-1 if none), k = 0 .. steps, and `top[b]` = min(steps, K(first u of bucket b)). Then
 * "K >= R" is `u <= surv[R]`, and K itself is found by stepping down from `top[u >>> 20]` while
 * u > surv[k] - the same value as the logarithm, without computing one.
 *
 * @example
 * const { surv, top } = geometricTables(Math.log1p(-0.0003), 400);
 */
export function geometricTables(
  log1mP: number,
  steps: number,
): { surv: Float64Array; top: Int32Array } {
  const surv = new Float64Array(steps + 1);
  const kMax = geometricK(0, log1mP);
  for (let k = 0; k <= steps; k++) {
    if (!(kMax >= k)) {
      surv[k] = -1;
      continue;
    }
    // Largest u in [0, 2^32) with K(u) >= k (K(0) >= k holds).
    let lo = 0;
    let hi = 4294967295;
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      if (geometricK(mid, log1mP) >= k) lo = mid;
      else hi = mid - 1;
    }
    surv[k] = lo;
  }
  const top = new Int32Array(BUCKETS);
  for (let b = 0; b < BUCKETS; b++) top[b] = Math.min(steps, geometricK(b * BUCKET_WIDTH, log1mP));
  return { surv, top };
}

function aliasValue(u: number, prob: Float64Array, index: Int32Array, centre: number): number {
  const f = u * prob.length * INV32;
  const j = Math.floor(f);
  return (f - j < prob[j] ? j : index[j]) - centre;
}

/**
 * Guide of the alias draw of an initial coordinate: for each bucket of u >>> ALIAS_GUIDE_SHIFT,
 * the coordinate when every u in the bucket gives the same one (one alias column, one side of
 * its split), else ALIAS_GUIDE_MISS.
 *
 * @example
 * const g = aliasGuide(cfg.aliasProb, cfg.aliasIndex, cfg.aliasCentre);
 */
export function aliasGuide(prob: Float64Array, index: Int32Array, centre: number): Int16Array {
  const g = new Int16Array(ALIAS_BUCKETS);
  const m = prob.length;
  for (let b = 0; b < ALIAS_BUCKETS; b++) {
    const lo = b * ALIAS_BUCKET_WIDTH;
    const hi = lo + ALIAS_BUCKET_WIDTH - 1;
    const v = aliasValue(lo, prob, index, centre);
    const oneColumn = Math.floor(lo * m * INV32) === Math.floor(hi * m * INV32);
    g[b] =
      oneColumn && v === aliasValue(hi, prob, index, centre) && v > ALIAS_GUIDE_MISS && v < 32768
        ? v
        : ALIAS_GUIDE_MISS;
  }
  return g;
}

/** Kernel-private forms of a config's tables (one load per hop, one per guided step). */
interface Packed {
  /** Hop offsets by bright event index: (dx + 1) | (dy + 1) << 2 | (dz + 1) << 4. */
  hops: Int32Array;
  /** bStepGuide with the hop offsets of the event in bits 8..13: outcome | hop << 8 (outcome 255 = search). */
  guide: Int32Array;
}
const packed = new WeakMap<KernelConfig, Packed>();

function packTables(cfg: KernelConfig): Packed {
  let t = packed.get(cfg);
  if (!t) {
    const hops = new Int32Array(cfg.nEvB + 1);
    for (let k = 0; k < cfg.dx.length; k++)
      hops[EV_HOP + k] = (cfg.dx[k] + 1) | ((cfg.dy[k] + 1) << 2) | ((cfg.dz[k] + 1) << 4);
    const g = cfg.bStepGuide;
    const guide = new Int32Array(g.length);
    for (let b = 0; b < g.length; b++) guide[b] = g[b] < 0 ? 255 : g[b] | (hops[g[b]] << 8);
    t = { hops, guide };
    packed.set(cfg, t);
  }
  return t;
}

/**
 * Simulate the walkers of chunks [chunkStart, chunkEnd) and add their emissions to `acc`
 * (example: `runChunks(buildKernelConfig(p), 0, chunkCount(p), acc)`).
 * Chunk c holds walkers c*CHUNK_WALKERS .. min(walkers, (c+1)*CHUNK_WALKERS) - 1 and draws from
 * stream c, in this order per walker: one draw per axis for the position (again on a vacancy),
 * one for the state, then per event either one draw per step (step mode) or a waiting-time
 * draw and an event draw (geometric mode). The generator runs inline on local variables; the
 * step counter stays a small integer and each state has its own branch, so V8 keeps the loop in
 * machine integers.
 */
export function runChunks(
  cfg: KernelConfig,
  chunkStart: number,
  chunkEnd: number,
  acc: Accumulators,
): void {
  // Module-level constants as locals or literals: V8 reads a module binding from the module
  // context (a load and a check) at every use inside the loops.
  const stepModeP = STEP_MODE_THRESHOLD;
  const chunkWalkers = CHUNK_WALKERS;
  const inv32 = INV32;
  const d = cfg.dimension;
  const d3 = d === 3;
  const N = cfg.steps;
  const brightThr = cfg.brightThr;
  const trappedThr = cfg.trappedThr;
  const aliasProb = cfg.aliasProb;
  const aliasIndex = cfg.aliasIndex;
  const aliasScale = aliasProb.length * inv32;
  const aliasCentre = cfg.aliasCentre;
  const aG = cfg.aliasGuide;
  const nEvB = cfg.nEvB;
  const tables = packTables(cfg);
  const hops = tables.hops;
  const bGP = tables.guide;
  const lastB = nEvB - 1;
  const bStepThr = cfg.bStepThr;
  const bGeomThr = cfg.bGeomThr;
  const bP = cfg.bP;
  const bLog = cfg.bLog1mP;
  const bG = cfg.bStepGuide;
  const bSurv = cfg.bGeomSurv;
  const bTop = cfg.bGeomTop;
  const dSurv = cfg.dGeomSurv;
  const dTop = cfg.dGeomTop;
  const tSurv = cfg.tGeomSurv;
  const tTop = cfg.tGeomTop;
  const dP = cfg.dP;
  const dLog = cfg.dLog1mP;
  const tP = cfg.tP;
  const tLog = cfg.tLog1mP;
  const L = cfg.latticeSize;
  const lattice = L > 0;
  const vacancy = cfg.vacancy;
  const half = cfg.profileHalfWidth;
  const nx = 2 * half + 1;
  const count = acc.count;
  const cB = acc.countBright;
  const cD = acc.countDark;
  const cT = acc.countTrapped;
  const s1 = acc.s1;
  const s2 = acc.s2;
  const s3 = acc.s3;
  const s4 = acc.s4;
  const r2a = acc.r2;
  const r4a = acc.r4;
  const hist = acc.hist;
  const outside = acc.outside;
  let i1x = 0,
    i1y = 0,
    i1z = 0,
    i2x = 0,
    i2y = 0,
    i2z = 0;
  let created = 0;
  let survivors = 0;
  const walkers = cfg.walkers;
  const streams = cfg.streams;
  // Dark and trapped: thresholds of the (only) emission event and of the total.
  const dThr0 = cfg.dStepThr[0];
  const dThr = cfg.dStepThr[1];
  const dGeom0 = cfg.dGeomThr[0];
  const tThr = cfg.tStepThr[0];
  const dOn = dP > 0;
  const tOn = tP > 0;
  const dStep = dP >= stepModeP;
  const tStep = tP >= stepModeP;
  const dTab = dSurv.length > 0;
  const tTab = tSurv.length > 0;
  // Uniform lattice: the bright tables of site 0 hold for every site.
  const bP0 = bP[0];
  const bOn0 = bP0 > 0;
  const bThr0 = bStepThr[lastB];
  const bLog0 = bLog[0];
  const bGuided = !lattice && bG.length > 0;
  const bTab = !lattice && bSurv.length > 0;

  for (let c = chunkStart; c < chunkEnd; c++) {
    let s0 = streams[4 * c] | 0;
    let sa = streams[4 * c + 1] | 0;
    let sb = streams[4 * c + 2] | 0;
    let sc = streams[4 * c + 3] | 0;
    let m5 = 0;
    let u = 0;
    let t9 = 0;
    const wEnd = Math.min(walkers, (c + 1) * chunkWalkers);
    for (let w = c * chunkWalkers; w < wEnd; w++) {
      // Initial position: one draw per axis (alias method); on a vacancy, draw again.
      let px = 0,
        py = 0,
        pz = 0;
      // Wrapped lattice coordinates and site index (lattice runs only).
      let wx = 0,
        wy = 0,
        wz = 0;
      let site = 0;
      for (;;) {
        m5 = Math.imul(sa, 5);
        u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
        t9 = sa << 9;
        sb ^= s0;
        sc ^= sa;
        sa ^= sb;
        s0 ^= sc;
        sb ^= t9;
        sc = (sc << 11) | (sc >>> 21);
        px = aG[u >>> 18];
        if (px === -32768 /* ALIAS_GUIDE_MISS */) {
          const f = u * aliasScale;
          const j = Math.floor(f);
          px = (f - j < aliasProb[j] ? j : aliasIndex[j]) - aliasCentre;
        }
        m5 = Math.imul(sa, 5);
        u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
        t9 = sa << 9;
        sb ^= s0;
        sc ^= sa;
        sa ^= sb;
        s0 ^= sc;
        sb ^= t9;
        sc = (sc << 11) | (sc >>> 21);
        py = aG[u >>> 18];
        if (py === -32768 /* ALIAS_GUIDE_MISS */) {
          const f = u * aliasScale;
          const j = Math.floor(f);
          py = (f - j < aliasProb[j] ? j : aliasIndex[j]) - aliasCentre;
        }
        if (d3) {
          m5 = Math.imul(sa, 5);
          u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
          t9 = sa << 9;
          sb ^= s0;
          sc ^= sa;
          sa ^= sb;
          s0 ^= sc;
          sb ^= t9;
          sc = (sc << 11) | (sc >>> 21);
          pz = aG[u >>> 18];
          if (pz === -32768 /* ALIAS_GUIDE_MISS */) {
            const f = u * aliasScale;
            const j = Math.floor(f);
            pz = (f - j < aliasProb[j] ? j : aliasIndex[j]) - aliasCentre;
          }
        }
        if (!lattice) break;
        wx = px % L;
        if (wx < 0) wx += L;
        wy = py % L;
        if (wy < 0) wy += L;
        wz = pz % L;
        if (wz < 0) wz += L;
        site = wx + L * (wy + L * wz);
        if (vacancy[site] !== 1) break;
      }
      const x0 = px;
      const y0 = py;
      const z0 = pz;
      i1x += px;
      i2x += px * px;
      i1y += py;
      i2y += py * py;
      i1z += pz;
      i2z += pz * pz;
      created++;
      m5 = Math.imul(sa, 5);
      u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
      t9 = sa << 9;
      sb ^= s0;
      sc ^= sa;
      sa ^= sb;
      s0 ^= sc;
      sb ^= t9;
      sc = (sc << 11) | (sc >>> 21);
      let state = u < brightThr ? 0 : u < trappedThr ? 2 : 1; // 0 bright, 1 dark, 2 trapped
      let n = 0;
      // The state that emitted the photon, or -1 while none did (then the walker survives).
      let emitter = -1;
      walk: for (;;) {
        if (state === 0) {
          // Bright: events until one leaves the state (hops stay in this loop).
          for (;;) {
            let ev = 0;
            let h = 0;
            if (bGuided) {
              // Uniform lattice, step mode: one draw per step, read through the guide.
              for (;;) {
                m5 = Math.imul(sa, 5);
                u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
                t9 = sa << 9;
                sb ^= s0;
                sc ^= sa;
                sa ^= sb;
                s0 ^= sc;
                sb ^= t9;
                sc = (sc << 11) | (sc >>> 21);
                const g = bGP[u >>> 20];
                ev = g & 255;
                if (ev === 255) {
                  ev = 0;
                  if (u >= bThr0) ev = nEvB;
                  else while (u >= bStepThr[ev]) ev++;
                  h = hops[ev];
                } else h = g >>> 8;
                if (ev !== nEvB) break;
                if (++n >= N) break walk;
              }
            } else if (!lattice) {
              // Uniform lattice, geometric mode.
              if (!bOn0) break walk;
              m5 = Math.imul(sa, 5);
              u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
              t9 = sa << 9;
              sb ^= s0;
              sc ^= sa;
              sa ^= sb;
              s0 ^= sc;
              sb ^= t9;
              sc = (sc << 11) | (sc >>> 21);
              if (bTab) {
                const R = N - n;
                if (u <= bSurv[R]) break walk;
                let k = bTop[u >>> 20];
                if (k >= R) k = R - 1;
                while (u > bSurv[k]) k--;
                n += k;
              } else {
                const K = Math.floor(Math.log((u + 1) * inv32) / bLog0);
                if (K >= N - n) break walk;
                n = (n + K) | 0;
              }
              m5 = Math.imul(sa, 5);
              u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
              t9 = sa << 9;
              sb ^= s0;
              sc ^= sa;
              sa ^= sb;
              s0 ^= sc;
              sb ^= t9;
              sc = (sc << 11) | (sc >>> 21);
              while (ev < lastB && u >= bGeomThr[ev]) ev++;
            } else {
              // Explicit lattice: the tables of this site.
              const P = bP[site];
              if (!(P > 0)) break walk;
              const base = site * nEvB;
              if (P >= stepModeP) {
                const Pthr = bStepThr[base + lastB];
                for (;;) {
                  m5 = Math.imul(sa, 5);
                  u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
                  t9 = sa << 9;
                  sb ^= s0;
                  sc ^= sa;
                  sa ^= sb;
                  s0 ^= sc;
                  sb ^= t9;
                  sc = (sc << 11) | (sc >>> 21);
                  if (u < Pthr) break;
                  if (++n >= N) break walk;
                }
                while (u >= bStepThr[base + ev]) ev++;
              } else {
                m5 = Math.imul(sa, 5);
                u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
                t9 = sa << 9;
                sb ^= s0;
                sc ^= sa;
                sa ^= sb;
                s0 ^= sc;
                sb ^= t9;
                sc = (sc << 11) | (sc >>> 21);
                const K = Math.floor(Math.log((u + 1) * inv32) / bLog[site]);
                if (K >= N - n) break walk;
                n = (n + K) | 0;
                m5 = Math.imul(sa, 5);
                u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
                t9 = sa << 9;
                sb ^= s0;
                sc ^= sa;
                sa ^= sb;
                s0 ^= sc;
                sb ^= t9;
                sc = (sc << 11) | (sc >>> 21);
                while (ev < lastB && u >= bGeomThr[base + ev]) ev++;
              }
            }
            if (ev >= 3 /* EV_HOP */) {
              // Hop offsets packed as (dx + 1) | (dy + 1) << 2 | (dz + 1) << 4.
              if (!bGuided) h = hops[ev];
              const hx = (h & 3) - 1;
              const hy = ((h >>> 2) & 3) - 1;
              const hz = (h >>> 4) - 1;
              px += hx;
              py += hy;
              pz += hz;
              if (lattice) {
                wx += hx;
                if (wx >= L) wx -= L;
                else if (wx < 0) wx += L;
                wy += hy;
                if (wy >= L) wy -= L;
                else if (wy < 0) wy += L;
                wz += hz;
                if (wz >= L) wz -= L;
                else if (wz < 0) wz += L;
                site = wx + L * (wy + L * wz);
              }
              if (++n >= N) break walk;
              continue;
            }
            if (ev === 0 /* EV_EMIT */) {
              emitter = 0;
              break walk;
            }
            state = ev === 1 /* EV_TO_DARK */ ? 1 : 2;
            break;
          }
          if (++n >= N) break;
        }
        if (state === 1) {
          if (!dOn) break;
          let emit: boolean;
          if (dStep) {
            for (;;) {
              m5 = Math.imul(sa, 5);
              u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
              t9 = sa << 9;
              sb ^= s0;
              sc ^= sa;
              sa ^= sb;
              s0 ^= sc;
              sb ^= t9;
              sc = (sc << 11) | (sc >>> 21);
              if (u < dThr) break;
              if (++n >= N) break walk;
            }
            emit = u < dThr0;
          } else {
            m5 = Math.imul(sa, 5);
            u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
            t9 = sa << 9;
            sb ^= s0;
            sc ^= sa;
            sa ^= sb;
            s0 ^= sc;
            sb ^= t9;
            sc = (sc << 11) | (sc >>> 21);
            if (dTab) {
              const R = N - n;
              if (u <= dSurv[R]) break;
              let k = dTop[u >>> 20];
              if (k >= R) k = R - 1;
              while (u > dSurv[k]) k--;
              n += k;
            } else {
              const K = Math.floor(Math.log((u + 1) * inv32) / dLog);
              if (K >= N - n) break;
              n = (n + K) | 0;
            }
            m5 = Math.imul(sa, 5);
            u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
            t9 = sa << 9;
            sb ^= s0;
            sc ^= sa;
            sa ^= sb;
            s0 ^= sc;
            sb ^= t9;
            sc = (sc << 11) | (sc >>> 21);
            emit = u < dGeom0;
          }
          if (emit) {
            emitter = 1;
            break;
          }
          state = 0; // dark -> bright (the only non-emitting dark event)
          if (++n >= N) break;
        } else if (state === 2) {
          // Trapped: the only event is emission.
          if (!tOn) break;
          if (tStep) {
            for (;;) {
              m5 = Math.imul(sa, 5);
              u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
              t9 = sa << 9;
              sb ^= s0;
              sc ^= sa;
              sa ^= sb;
              s0 ^= sc;
              sb ^= t9;
              sc = (sc << 11) | (sc >>> 21);
              if (u < tThr) break;
              if (++n >= N) break walk;
            }
          } else {
            m5 = Math.imul(sa, 5);
            u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
            t9 = sa << 9;
            sb ^= s0;
            sc ^= sa;
            sa ^= sb;
            s0 ^= sc;
            sb ^= t9;
            sc = (sc << 11) | (sc >>> 21);
            if (tTab) {
              const R = N - n;
              if (u <= tSurv[R]) break;
              let k = tTop[u >>> 20];
              if (k >= R) k = R - 1;
              while (u > tSurv[k]) k--;
              n += k;
            } else {
              const K = Math.floor(Math.log((u + 1) * inv32) / tLog);
              if (K >= N - n) break;
              n = (n + K) | 0;
            }
            // (the event draw of the geometric mode: one event, so always emission)
            m5 = Math.imul(sa, 5);
            u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
            t9 = sa << 9;
            sb ^= s0;
            sc ^= sa;
            sa ^= sb;
            s0 ^= sc;
            sb ^= t9;
            sc = (sc << 11) | (sc >>> 21);
          }
          emitter = 2;
          break;
        }
      }
      if (emitter < 0) {
        survivors++;
        continue;
      }
      count[n] += 1;
      if (emitter === 0) cB[n] += 1;
      else if (emitter === 1) cD[n] += 1;
      else cT[n] += 1;
      let x = px;
      let x2 = x * x;
      s1[n] += x;
      s2[n] += x2;
      s3[n] += x2 * x;
      s4[n] += x2 * x2;
      x = py;
      x2 = x * x;
      s1[N + n] += x;
      s2[N + n] += x2;
      s3[N + n] += x2 * x;
      s4[N + n] += x2 * x2;
      const ddx = px - x0;
      const ddy = py - y0;
      let rr = ddx * ddx + ddy * ddy;
      if (d3) {
        x = pz;
        x2 = x * x;
        s1[2 * N + n] += x;
        s2[2 * N + n] += x2;
        s3[2 * N + n] += x2 * x;
        s4[2 * N + n] += x2 * x2;
        const ddz = pz - z0;
        rr += ddz * ddz;
      }
      r2a[n] += rr;
      r4a[n] += rr * rr;
      if (px >= -half && px <= half) hist[n * nx + px + half] += 1;
      else outside[n] += 1;
    }
  }
  acc.init1[0] += i1x;
  acc.init2[0] += i2x;
  if (d >= 2) {
    acc.init1[1] += i1y;
    acc.init2[1] += i2y;
  }
  if (d === 3) {
    acc.init1[2] += i1z;
    acc.init2[2] += i2z;
  }
  acc.created += created;
  acc.survivors += survivors;
}
