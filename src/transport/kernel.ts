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
export function createAccumulators(steps: number, dimension: number, profileHalfWidth: number): Accumulators {
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
  const keys = ['count', 'countBright', 'countDark', 'countTrapped', 's1', 's2', 's3', 's4', 'r2', 'r4', 'hist', 'outside', 'init1', 'init2'] as const;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    for (let i = 0; i < x.length; i++) x[i] += y[i];
  }
  a.created += b.created;
  a.survivors += b.survivors;
}

const INV32 = 1 / 4294967296;

/**
 * Simulate the walkers of chunks [chunkStart, chunkEnd) and add their emissions to `acc`
 * (example: `runChunks(buildKernelConfig(p), 0, chunkCount(p), acc)`).
 * Chunk c holds walkers c*CHUNK_WALKERS .. min(walkers, (c+1)*CHUNK_WALKERS) - 1 and draws from
 * stream c, in this order per walker: one draw per axis for the position (again on a vacancy),
 * one for the state, then per event either one draw per step (step mode) or a waiting-time
 * draw and an event draw (geometric mode). The generator runs inline on local variables.
 */
export function runChunks(cfg: KernelConfig, chunkStart: number, chunkEnd: number, acc: Accumulators): void {
  const d = cfg.dimension;
  const N = cfg.steps;
  const brightThr = cfg.brightThr;
  const trappedThr = cfg.trappedThr;
  const aliasProb = cfg.aliasProb;
  const aliasIndex = cfg.aliasIndex;
  const aliasN = aliasProb.length;
  const aliasCentre = cfg.aliasCentre;
  const dxT = cfg.dx;
  const dyT = cfg.dy;
  const dzT = cfg.dz;
  const nEvB = cfg.nEvB;
  const bStepThr = cfg.bStepThr;
  const bGeomThr = cfg.bGeomThr;
  const bP = cfg.bP;
  const bLog = cfg.bLog1mP;
  const dStepThr = cfg.dStepThr;
  const dGeomThr = cfg.dGeomThr;
  const dP = cfg.dP;
  const dLog = cfg.dLog1mP;
  const tStepThr = cfg.tStepThr;
  const tGeomThr = cfg.tGeomThr;
  const tP = cfg.tP;
  const tLog = cfg.tLog1mP;
  const L = cfg.latticeSize;
  const vacancy = cfg.vacancy;
  const half = cfg.profileHalfWidth;
  const nx = half >= 0 ? 2 * half + 1 : 0;
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
  let i1x = 0, i1y = 0, i1z = 0, i2x = 0, i2y = 0, i2z = 0;
  let created = 0;
  let survivors = 0;
  const walkers = cfg.walkers;
  const streams = cfg.streams;
  const dThr = dStepThr[dStepThr.length - 1];
  const tThr = tStepThr[tStepThr.length - 1];
  const dStep = dP >= STEP_MODE_THRESHOLD;
  const tStep = tP >= STEP_MODE_THRESHOLD;
  // Uniform lattice: the bright tables of site 0 hold for every site.
  const bStep0 = bP[0] >= STEP_MODE_THRESHOLD;
  const bThr0 = bStepThr[nEvB - 1];
  const bLog0 = bLog[0];

  for (let c = chunkStart; c < chunkEnd; c++) {
    let s0 = streams[4 * c] | 0;
    let sa = streams[4 * c + 1] | 0;
    let sb = streams[4 * c + 2] | 0;
    let sc = streams[4 * c + 3] | 0;
    let m5 = 0;
    let u = 0;
    let t9 = 0;
    const wEnd = Math.min(walkers, (c + 1) * CHUNK_WALKERS);
    for (let w = c * CHUNK_WALKERS; w < wEnd; w++) {
      // Initial position: one draw per axis from the alias table; on a vacancy, draw again.
      let px = 0, py = 0, pz = 0;
      let site = 0;
      for (;;) {
        for (let a = 0; a < d; a++) {
          m5 = Math.imul(sa, 5); u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0; t9 = sa << 9; sb ^= s0; sc ^= sa; sa ^= sb; s0 ^= sc; sb ^= t9; sc = (sc << 11) | (sc >>> 21);
          const f = u * aliasN * INV32;
          const j = Math.floor(f);
          const v = (f - j < aliasProb[j] ? j : aliasIndex[j]) - aliasCentre;
          if (a === 0) px = v;
          else if (a === 1) py = v;
          else pz = v;
        }
        if (L === 0) break;
        site = (((px % L) + L) % L) + L * ((((py % L) + L) % L) + (d === 3 ? L * (((pz % L) + L) % L) : 0));
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
      m5 = Math.imul(sa, 5); u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0; t9 = sa << 9; sb ^= s0; sc ^= sa; sa ^= sb; s0 ^= sc; sb ^= t9; sc = (sc << 11) | (sc >>> 21);
      let state = u < brightThr ? 0 : u < trappedThr ? 2 : 1; // 0 bright, 1 dark, 2 trapped
      let n = 0;
      for (;;) {
        // Current state's tables.
        let stepMode: boolean;
        let Pthr: number;
        let logq: number;
        let table: Float64Array;
        let base = 0;
        let nEv: number;
        if (state === 0) {
          nEv = nEvB;
          if (L === 0) {
            stepMode = bStep0;
            Pthr = bThr0;
            logq = bLog0;
          } else {
            base = site * nEvB;
            stepMode = bP[site] >= STEP_MODE_THRESHOLD;
            Pthr = bStepThr[base + nEvB - 1];
            logq = bLog[site];
            if (!(bP[site] > 0)) {
              survivors++;
              break;
            }
          }
          table = stepMode ? bStepThr : bGeomThr;
        } else if (state === 1) {
          if (!(dP > 0)) {
            survivors++;
            break;
          }
          nEv = 2;
          stepMode = dStep;
          Pthr = dThr;
          logq = dLog;
          table = stepMode ? dStepThr : dGeomThr;
        } else {
          if (!(tP > 0)) {
            survivors++;
            break;
          }
          nEv = 1;
          stepMode = tStep;
          Pthr = tThr;
          logq = tLog;
          table = stepMode ? tStepThr : tGeomThr;
        }
        // Wait for the next event.
        let ev = 0;
        if (stepMode) {
          for (;;) {
            m5 = Math.imul(sa, 5); u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0; t9 = sa << 9; sb ^= s0; sc ^= sa; sa ^= sb; s0 ^= sc; sb ^= t9; sc = (sc << 11) | (sc >>> 21);
            if (u < Pthr) break;
            n++;
            if (n >= N) break;
          }
          if (n >= N) {
            survivors++;
            break;
          }
          while (u >= table[base + ev]) ev++;
        } else {
          m5 = Math.imul(sa, 5); u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0; t9 = sa << 9; sb ^= s0; sc ^= sa; sa ^= sb; s0 ^= sc; sb ^= t9; sc = (sc << 11) | (sc >>> 21);
          n += Math.floor(Math.log((u + 1) * INV32) / logq);
          if (n >= N) {
            survivors++;
            break;
          }
          m5 = Math.imul(sa, 5); u = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0; t9 = sa << 9; sb ^= s0; sc ^= sa; sa ^= sb; s0 ^= sc; sb ^= t9; sc = (sc << 11) | (sc >>> 21);
          const last = nEv - 1;
          while (ev < last && u >= table[base + ev]) ev++;
        }
        // Apply it.
        if (ev === EV_EMIT) {
          count[n] += 1;
          if (state === 0) cB[n] += 1;
          else if (state === 1) cD[n] += 1;
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
          if (d === 3) {
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
          if (nx > 0) {
            if (px >= -half && px <= half) hist[n * nx + px + half] += 1;
            else outside[n] += 1;
          }
          break;
        }
        if (state === 0) {
          if (ev >= EV_HOP) {
            const k = ev - EV_HOP;
            px += dxT[k];
            py += dyT[k];
            pz += dzT[k];
            if (L > 0) site = (((px % L) + L) % L) + L * ((((py % L) + L) % L) + (d === 3 ? L * (((pz % L) + L) % L) : 0));
          } else state = ev === EV_TO_DARK ? 1 : 2;
        } else state = 0; // dark -> bright (the only non-emitting dark event)
        n++;
        if (n >= N) {
          survivors++;
          break;
        }
      }
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
