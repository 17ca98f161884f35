/**
 * Lattice Monte Carlo of exciton transport (paper 004's model; see `model.ts` for the events and
 * `kernel.ts` for the algorithm). Seeded and reproducible: the same seed gives the same result
 * whatever the number of worker threads.
 */
import { CancelledError, InvalidInputError } from '../core/errors.js';
import { type Provenance, provenance } from '../core/provenance.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { uniformAxis } from '../data/axis.js';
import { BOLTZMANN_EV_PER_K } from '../materials/constants.js';
import {
  type Accumulators,
  CHUNK_WALKERS,
  type KernelConfig,
  addAccumulators,
  createAccumulators,
  runChunks,
} from './kernel.js';
import { type TransportModelParams, type TransportSimulationParams, hopTargets, needsLattice, normalizeSimulationParams } from './model.js';
import { transportStreams, xoshiroNext } from './streams.js';

/** Input of the simulator: the model's required rates plus anything to override. */
export type TransportSimulationInput = Partial<TransportSimulationParams> &
  Pick<TransportModelParams, 'gammaB' | 'gammaD' | 'gammaBD' | 'gammaFret' | 'brightFraction'>;

/** One time step of the simulated curve. */
export interface TransportCurvePoint {
  /** Start of the step in ns (step n covers [n dt, (n+1) dt)). */
  tNs: number;
  /** Photons emitted in this step. */
  emissions: number;
  /**
   * Variance of the emission profile per axis minus the variance of the initial exciton
   * distribution, in sites^2 - what TPLM measures (sigma^2(t) - sigma^2(0)); null with < 2 photons.
   */
  msdProfileSites2: number | null;
  msdProfileStderr: number | null;
  /** Mean over the emitted excitons of |r - r0|^2 / d (per axis), sites^2; null with no photon. */
  msdDisplacementSites2: number | null;
  msdDisplacementStderr: number | null;
}

export interface TransportSimulationResult {
  /** The parameters used, defaults filled. */
  params: TransportSimulationParams;
  curve: TransportCurvePoint[];
  /** Photons per step by emitting state. */
  emissionsByState: { bright: number[]; dark: number[]; trapped: number[] };
  /** PL(x, t): emissions binned by time step and x (sites, or nm with `siteSpacingNm`). */
  plCube: CalibratedArray<Float64Array>;
  /** Photons outside the PL(x, t) window, per step (counted in `curve`, not in `plCube`). */
  outsideProfileWindow: number[];
  /** Variance per axis of the initial positions (sample), sites^2. */
  initialVarianceSites2: number;
  created: number;
  emitted: number;
  /** Excitons still alive after the last step (not counted as photons). */
  survivors: number;
  provenance: Provenance;
}

/** Options of the run itself (not the physics). */
export interface SimulateOptions {
  /** Half width of the PL(x, t) window in sites (default ceil(4 sigma0) + 20, at most 2000). */
  profileHalfWidthSites?: number;
}

function buildAlias(sigma: number): { prob: Float64Array; index: Int32Array; centre: number } {
  // Discrete Gaussian on the lattice sites, p(v) ~ exp(-v^2 / (2 sigma^2)), |v| <= ceil(8 sigma).
  const R = sigma > 0 ? Math.ceil(8 * sigma) : 0;
  const m = 2 * R + 1;
  const p = new Float64Array(m);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const v = i - R;
    p[i] = sigma > 0 ? Math.exp((-v * v) / (2 * sigma * sigma)) : 1;
    sum += p[i];
  }
  // Vose's alias method.
  const prob = new Float64Array(m);
  const index = new Int32Array(m);
  const scaled = new Float64Array(m);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < m; i++) {
    scaled[i] = (p[i] / sum) * m;
    (scaled[i] < 1 ? small : large).push(i);
  }
  while (small.length && large.length) {
    const s = small.pop() as number;
    const l = large.pop() as number;
    prob[s] = scaled[s];
    index[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  for (const i of large) {
    prob[i] = 1;
    index[i] = i;
  }
  for (const i of small) {
    prob[i] = 1;
    index[i] = i;
  }
  return { prob, index, centre: R };
}

function thresholds(probs: number[]): { step: Float64Array; geom: Float64Array; P: number; log1mP: number } {
  const n = probs.length;
  const step = new Float64Array(n);
  const geom = new Float64Array(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    c += probs[i];
    step[i] = c * 4294967296;
  }
  const P = c;
  for (let i = 0; i < n; i++) geom[i] = P > 0 ? (step[i] / step[n - 1]) * 4294967296 : 4294967296;
  return { step, geom, P, log1mP: Math.log1p(-Math.min(P, 1)) };
}

/** Standard normal from two 32-bit draws (Box-Muller), for lattice set-up only. */
function normal(s: Uint32Array): number {
  const u1 = (xoshiroNext(s) + 1) / 4294967296;
  const u2 = xoshiroNext(s) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * The kernel's tables for a parameter set (exported for the benchmark and the worker entry).
 *
 * @example
 * const cfg = buildKernelConfig(normalizeSimulationParams(preset('004-5nm-9K')));
 */
export function buildKernelConfig(p: TransportSimulationParams, options: SimulateOptions = {}): KernelConfig {
  const d = p.dimension;
  const targets = hopTargets(d, p.nextNearest);
  const z = targets.length;
  const alias = buildAlias(p.sigma0Sites);
  const half = options.profileHalfWidthSites ?? Math.min(2000, Math.ceil(4 * p.sigma0Sites) + 20);
  if (!Number.isInteger(half) || half < 0) throw new InvalidInputError(`profileHalfWidthSites must be a non-negative integer, got ${half}`);
  const lattice = needsLattice(p);
  const L = lattice ? (p.latticeSize as number) : 0;
  const nSites = lattice ? (d === 3 ? L * L * L : L * L) : 1;
  const nEvB = 3 + z;
  const bStepThr = new Float64Array(nSites * nEvB);
  const bGeomThr = new Float64Array(nSites * nEvB);
  const bP = new Float64Array(nSites);
  const bLog1mP = new Float64Array(nSites);
  const vacancy = new Uint8Array(lattice ? nSites : 1);
  const fixed = [p.gammaB, p.gammaBD, p.gammaTrap];
  if (!lattice) {
    const t = thresholds([...fixed, ...targets.map((h) => h.weight * p.gammaFret)]);
    bStepThr.set(t.step);
    bGeomThr.set(t.geom);
    bP[0] = t.P;
    bLog1mP[0] = t.log1mP;
  } else {
    const s = transportStreams(p.seed, 0, 1);
    const vf = p.vacancyFraction ?? 0;
    const energy = new Float64Array(nSites);
    const sigmaE = p.disorder ? p.disorder.sigmaMeV * 1e-3 : 0;
    const kT = p.disorder ? BOLTZMANN_EV_PER_K * p.disorder.temperatureK : 1;
    let occupied = 0;
    for (let i = 0; i < nSites; i++) {
      vacancy[i] = vf > 0 && xoshiroNext(s) / 4294967296 < vf ? 1 : 0;
      if (!vacancy[i]) occupied++;
      energy[i] = sigmaE > 0 ? sigmaE * normal(s) : 0;
    }
    if (occupied === 0) throw new InvalidInputError('every lattice site is a vacancy; lower vacancyFraction');
    const coord = (i: number): number[] => (d === 2 ? [i % L, Math.floor(i / L)] : [i % L, Math.floor(i / L) % L, Math.floor(i / (L * L))]);
    const index = (c: number[]): number => {
      const w = c.map((v) => ((v % L) + L) % L);
      return d === 2 ? w[0] + L * w[1] : w[0] + L * (w[1] + L * w[2]);
    };
    for (let i = 0; i < nSites; i++) {
      const c = coord(i);
      const probs = [...fixed];
      for (const h of targets) {
        const j = index(c.map((v, a) => v + h.offset[a]));
        let g = vacancy[j] ? 0 : h.weight * p.gammaFret;
        if (g > 0 && sigmaE > 0) {
          const dE = energy[j] - energy[i];
          if (dE > 0) g *= Math.exp(-dE / kT);
        }
        probs.push(g);
      }
      const t = thresholds(probs);
      bStepThr.set(t.step, i * nEvB);
      bGeomThr.set(t.geom, i * nEvB);
      bP[i] = t.P;
      bLog1mP[i] = t.log1mP;
    }
  }
  const dark = thresholds([p.gammaD, p.gammaDB]);
  const trap = thresholds([p.trappedRadiativeFactor * p.gammaB]);
  const nChunks = Math.ceil(p.walkers / CHUNK_WALKERS);
  return {
    dimension: d,
    steps: p.steps,
    walkers: p.walkers,
    brightThr: p.brightFraction * 4294967296,
    trappedThr: (p.brightFraction + p.trappedFraction) * 4294967296,
    aliasProb: alias.prob,
    aliasIndex: alias.index,
    aliasCentre: alias.centre,
    dx: Int32Array.from(targets.map((h) => h.offset[0])),
    dy: Int32Array.from(targets.map((h) => h.offset[1])),
    dz: Int32Array.from(targets.map((h) => (d === 3 ? h.offset[2] : 0))),
    nEvB,
    bStepThr,
    bGeomThr,
    bP,
    bLog1mP,
    dStepThr: dark.step,
    dGeomThr: dark.geom,
    dP: dark.P,
    dLog1mP: dark.log1mP,
    tStepThr: trap.step,
    tGeomThr: trap.geom,
    tP: trap.P,
    tLog1mP: trap.log1mP,
    latticeSize: L,
    vacancy,
    profileHalfWidth: half,
    streams: transportStreams(p.seed, 1, nChunks),
  };
}

/**
 * Number of walker chunks (random streams) of a run.
 *
 * @example
 * chunkCount({ walkers: 10_000 }); // 2
 */
export function chunkCount(p: Pick<TransportSimulationParams, 'walkers'>): number {
  return Math.ceil(p.walkers / CHUNK_WALKERS);
}

/**
 * Turn the kernel's sums into the result (example: `summarizeAccumulators(p, acc, cfg.profileHalfWidth)`): per step photons, profile-variance MSD and
 * displacement MSD with standard errors, PL(x, t) and provenance.
 */
export function summarizeAccumulators(p: TransportSimulationParams, acc: Accumulators, half: number): TransportSimulationResult {
  const N = p.steps;
  const d = p.dimension;
  const dtNs = p.dtPs / 1000;
  const created = acc.created;
  let initVar = 0;
  for (let a = 0; a < d; a++) {
    const m = acc.init1[a] / created;
    initVar += created > 1 ? ((acc.init2[a] / created - m * m) * created) / (created - 1) : 0;
  }
  initVar /= d;
  const curve: TransportCurvePoint[] = [];
  let emitted = 0;
  for (let n = 0; n < N; n++) {
    const c = acc.count[n];
    emitted += c;
    let prof: number | null = null;
    let profErr: number | null = null;
    if (c >= 2) {
      let v = 0;
      let varOfVar = 0;
      for (let a = 0; a < d; a++) {
        const m1 = acc.s1[a * N + n] / c;
        const m2 = acc.s2[a * N + n] / c;
        const m3 = acc.s3[a * N + n] / c;
        const m4 = acc.s4[a * N + n] / c;
        const mu2 = m2 - m1 * m1;
        const mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
        v += (mu2 * c) / (c - 1);
        varOfVar += Math.max(0, mu4 - ((c - 3) / (c - 1)) * mu2 * mu2) / c;
      }
      prof = v / d - initVar;
      profErr = Math.sqrt(varOfVar) / d;
    }
    let disp: number | null = null;
    let dispErr: number | null = null;
    if (c >= 1) {
      const m = acc.r2[n] / c;
      disp = m / d;
      dispErr = c >= 2 ? Math.sqrt(Math.max(0, acc.r4[n] / c - m * m) / (c - 1)) / d : null;
    }
    curve.push({ tNs: n * dtNs, emissions: c, msdProfileSites2: prof, msdProfileStderr: profErr, msdDisplacementSites2: disp, msdDisplacementStderr: dispErr });
  }
  const nx = 2 * half + 1;
  const a = p.siteSpacingNm ?? null;
  const plCube = calibrated(
    Float64Array.from(acc.hist),
    [uniformAxis('time', 'ns', N, dtNs, 0), a ? uniformAxis('x', 'nm', nx, a, -half * a) : uniformAxis('x', 'sites', nx, 1, -half)],
    { unit: 'counts', name: 'simulated PL', metadata: { source: 'nanolum transport simulation', seed: p.seed } },
  );
  return {
    params: p,
    curve,
    emissionsByState: { bright: Array.from(acc.countBright), dark: Array.from(acc.countDark), trapped: Array.from(acc.countTrapped) },
    plCube,
    outsideProfileWindow: Array.from(acc.outside),
    initialVarianceSites2: initVar,
    created,
    emitted,
    survivors: acc.survivors,
    provenance: provenance('transport.simulate', { ...p }, { seed: p.seed }),
  };
}

/**
 * Run the lattice Monte Carlo in this thread. For many walkers use `simulateTransportParallel`,
 * which gives the identical result on worker threads.
 *
 * @example
 * const r = simulateTransport({ ...preset('004-5nm-9K'), walkers: 20000, seed: 7 });
 * r.curve[20].msdDisplacementSites2; // ~3.1 sites^2 near the peak
 */
export function simulateTransport(input: TransportSimulationInput, options: SimulateOptions = {}): TransportSimulationResult {
  const p = normalizeSimulationParams(input);
  const cfg = buildKernelConfig(p, options);
  const acc = createAccumulators(p.steps, p.dimension, cfg.profileHalfWidth);
  runChunks(cfg, 0, chunkCount(p), acc);
  return summarizeAccumulators(p, acc, cfg.profileHalfWidth);
}

export { addAccumulators, createAccumulators, runChunks };

/** Options of the parallel simulator. */
export interface SimulateParallelOptions extends SimulateOptions {
  /**
   * Threads in total (default: the backend's concurrency, i.e. the cores; 0 or 1 = this thread
   * only). Where SharedArrayBuffer is available this thread works too, beside workers - 1 workers.
   */
  workers?: number;
  /** Cancels the run (rejects with `CancelledError`). */
  signal?: AbortSignal;
  /**
   * Let this thread work beside the workers, claiming chunks from a shared counter (default
   * true where SharedArrayBuffer is usable). With false, all chunks are split over workers.
   */
  shareThisThread?: boolean;
  /** Called with (chunks done, chunks total). */
  onProgress?: (done: number, total: number) => void;
}

const TASK_MODULE = new URL(/\.ts$/.test(new URL(import.meta.url).pathname) ? './task.ts' : './task.js', import.meta.url).href;

/**
 * Run the lattice Monte Carlo on worker threads (`parallelMap`); the result is identical to
 * `simulateTransport` with the same seed, whatever the number of workers. In Node, import
 * `nanolum/node` first to register the worker_threads backend (otherwise it runs in-thread).
 *
 * @example
 * import 'nanolum/node';
 * const r = await simulateTransportParallel({ ...preset('004-5nm-9K'), walkers: 1_000_000 }, { workers: 2 });
 */
export async function simulateTransportParallel(input: TransportSimulationInput, options: SimulateParallelOptions = {}): Promise<TransportSimulationResult> {
  const p = normalizeSimulationParams(input);
  const simOptions: SimulateOptions = options.profileHalfWidthSites === undefined ? {} : { profileHalfWidthSites: options.profileHalfWidthSites };
  const nChunks = chunkCount(p);
  const workers = options.workers;
  // Small runs: starting workers costs more than it saves.
  const small = workers === undefined && p.walkers * p.steps < 2e7;
  if (nChunks < 2 || small || (workers !== undefined && workers <= 1)) {
    if (options.signal?.aborted) throw new CancelledError('transport simulation cancelled');
    return simulateTransport(p, simOptions);
  }
  const { parallelMap, getDefaultBackend } = await import('../parallel/index.js');
  const backend = getDefaultBackend();
  const nw = Math.max(1, workers ?? backend.concurrency());
  const half = options.profileHalfWidthSites ?? Math.min(2000, Math.ceil(4 * p.sigma0Sites) + 20);
  const acc = createAccumulators(p.steps, p.dimension, half);
  let parts: Accumulators[];
  const canShare = typeof SharedArrayBuffer === 'function' && (typeof crossOriginIsolated === 'undefined' || crossOriginIsolated);
  if (options.shareThisThread !== false && canShare && !backend.inThread) {
    // Work sharing: this thread and nw - 1 workers claim chunks from one shared counter, so this
    // (already compiled) thread starts at once and workers join as soon as they are up.
    const { drainQueue } = await import('./task.js');
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const items = Array.from({ length: nw - 1 }, () => ({ params: p, options: simOptions, counter, nChunks, grab: 1 }));
    const pending = parallelMap<(typeof items)[number], Accumulators>({ module: TASK_MODULE, fn: 'runTransportQueue' }, items, {
      // (parallelMap runs in this thread when asked for one worker; with one item it starts one.)
      workers: Math.max(2, nw - 1),
      seed: p.seed,
      chunkSize: 1,
      signal: options.signal,
    });
    pending.catch(() => undefined); // handled below; avoid an unhandled rejection while this thread works
    drainQueue(buildKernelConfig(p, simOptions), counter, nChunks, 1, acc);
    parts = await pending;
    options.onProgress?.(nChunks, nChunks);
  } else {
    // Static split over workers (e.g. browsers without cross-origin isolation).
    const nItems = Math.min(nChunks, nw * 4);
    const items: Array<{ params: TransportSimulationParams; options: SimulateOptions; chunkStart: number; chunkEnd: number }> = [];
    for (let i = 0; i < nItems; i++) {
      const a = Math.floor((i * nChunks) / nItems);
      const b = Math.floor(((i + 1) * nChunks) / nItems);
      if (b > a) items.push({ params: p, options: simOptions, chunkStart: a, chunkEnd: b });
    }
    parts = await parallelMap<(typeof items)[number], Accumulators>({ module: TASK_MODULE, fn: 'runTransportTask' }, items, {
      workers: nw,
      seed: p.seed,
      chunkSize: 1,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }
  for (const part of parts) addAccumulators(acc, part);
  return summarizeAccumulators(p, acc, half);
}
