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
  GEOM_TABLE_MAX_STEPS,
  type KernelConfig,
  STEP_MODE_THRESHOLD,
  addAccumulators,
  aliasGuide,
  createAccumulators,
  geometricTables,
  runChunks,
  stepGuide,
} from './kernel.js';
import {
  type TransportModelParams,
  type TransportSimulationParams,
  hopTargets,
  needsLattice,
  normalizeSimulationParams,
} from './model.js';
import { transportStreams, xoshiroNext } from './streams.js';
import type { WorkerPool } from '../parallel/pool.js';

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

function thresholds(probs: number[]): {
  step: Float64Array;
  geom: Float64Array;
  P: number;
  log1mP: number;
} {
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
export function buildKernelConfig(
  p: TransportSimulationParams,
  options: SimulateOptions = {},
): KernelConfig {
  const d = p.dimension;
  const targets = hopTargets(d, p.nextNearest);
  const z = targets.length;
  const alias = buildAlias(p.sigma0Sites);
  const half = options.profileHalfWidthSites ?? Math.min(2000, Math.ceil(4 * p.sigma0Sites) + 20);
  if (!Number.isInteger(half) || half < 0)
    throw new InvalidInputError(
      `profileHalfWidthSites must be a non-negative integer, got ${half}`,
    );
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
    if (occupied === 0)
      throw new InvalidInputError('every lattice site is a vacancy; lower vacancyFraction');
    // Per site: [gammaB, gammaBD, gammaTrap, hop rates to each target] accumulated in this
    // order (the same arithmetic as `thresholds`), without per-site allocations.
    const tx = targets.map((h) => h.offset[0]);
    const ty = targets.map((h) => h.offset[1]);
    const tz = targets.map((h) => (d === 3 ? h.offset[2] : 0));
    const tw = targets.map((h) => h.weight * p.gammaFret);
    const wrap = (v: number): number => (v < 0 ? v + L : v >= L ? v - L : v);
    const LZ = d === 3 ? L : 1;
    const g = new Float64Array(z);
    for (let cz = 0, i = 0; cz < LZ; cz++) {
      for (let cy = 0; cy < L; cy++) {
        for (let cx = 0; cx < L; cx++, i++) {
          for (let k = 0; k < z; k++) {
            const j =
              wrap(cx + tx[k]) + L * (wrap(cy + ty[k]) + L * (d === 3 ? wrap(cz + tz[k]) : 0));
            let gk = vacancy[j] ? 0 : tw[k];
            if (gk > 0 && sigmaE > 0) {
              const dE = energy[j] - energy[i];
              if (dE > 0) gk *= Math.exp(-dE / kT);
            }
            g[k] = gk;
          }
          const b = i * nEvB;
          let c = 0;
          for (let e = 0; e < nEvB; e++) {
            c += e < 3 ? fixed[e] : g[e - 3];
            bStepThr[b + e] = c * 4294967296;
          }
          const P = c;
          const last = bStepThr[b + nEvB - 1];
          for (let e = 0; e < nEvB; e++)
            bGeomThr[b + e] = P > 0 ? (bStepThr[b + e] / last) * 4294967296 : 4294967296;
          bP[i] = P;
          bLog1mP[i] = Math.log1p(-Math.min(P, 1));
        }
      }
    }
  }
  const dark = thresholds([p.gammaD, p.gammaDB]);
  const trap = thresholds([p.trappedRadiativeFactor * p.gammaB]);
  const nChunks = Math.ceil(p.walkers / CHUNK_WALKERS);
  // Lookup tables of the kernel (exact: see kernel.ts).
  const noSurv = new Float64Array(0);
  const noTop = new Int32Array(0);
  const geometric = (P: number, log1mP: number) =>
    P > 0 && P < STEP_MODE_THRESHOLD && p.steps <= GEOM_TABLE_MAX_STEPS
      ? geometricTables(log1mP, p.steps)
      : { surv: noSurv, top: noTop };
  const bGeo = lattice ? { surv: noSurv, top: noTop } : geometric(bP[0], bLog1mP[0]);
  const dGeo = geometric(dark.P, dark.log1mP);
  const tGeo = geometric(trap.P, trap.log1mP);
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
    aliasGuide: aliasGuide(alias.prob, alias.index, alias.centre),
    bStepGuide:
      !lattice && bP[0] >= STEP_MODE_THRESHOLD ? stepGuide(bStepThr, 0, nEvB) : new Int8Array(0),
    bGeomSurv: bGeo.surv,
    bGeomTop: bGeo.top,
    dGeomSurv: dGeo.surv,
    dGeomTop: dGeo.top,
    tGeomSurv: tGeo.surv,
    tGeomTop: tGeo.top,
  };
}

let memoKey = '';
let memoConfig: KernelConfig | null = null;
/** Configs up to this size (bytes of tables) are kept for the next call with the same parameters. */
const MEMO_MAX_BYTES = 64 * 1024 * 1024;

/**
 * `buildKernelConfig`, remembering the last parameter set (per thread): repeated runs with the
 * same parameters - and every chunk a worker claims - reuse the tables instead of rebuilding
 * the lattice. The config is read-only for the kernel, so sharing it is safe.
 *
 * @example
 * const cfg = kernelConfigFor(normalizeSimulationParams(preset('004-trap')));
 */
export function kernelConfigFor(
  p: TransportSimulationParams,
  options: SimulateOptions = {},
): KernelConfig {
  const key = JSON.stringify([p, options]);
  if (memoConfig && key === memoKey) return memoConfig;
  const cfg = buildKernelConfig(p, options);
  const bytes =
    cfg.bStepThr.byteLength * 2 +
    cfg.bP.byteLength * 2 +
    cfg.vacancy.byteLength +
    cfg.streams.byteLength;
  if (bytes <= MEMO_MAX_BYTES) {
    memoKey = key;
    memoConfig = cfg;
  } else {
    memoKey = '';
    memoConfig = null;
  }
  return cfg;
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
export function summarizeAccumulators(
  p: TransportSimulationParams,
  acc: Accumulators,
  half: number,
): TransportSimulationResult {
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
    curve.push({
      tNs: n * dtNs,
      emissions: c,
      msdProfileSites2: prof,
      msdProfileStderr: profErr,
      msdDisplacementSites2: disp,
      msdDisplacementStderr: dispErr,
    });
  }
  const nx = 2 * half + 1;
  const a = p.siteSpacingNm ?? null;
  const plCube = calibrated(
    Float64Array.from(acc.hist),
    [
      uniformAxis('time', 'ns', N, dtNs, 0),
      a ? uniformAxis('x', 'nm', nx, a, -half * a) : uniformAxis('x', 'sites', nx, 1, -half),
    ],
    {
      unit: 'counts',
      name: 'simulated PL',
      metadata: { source: 'nanolum transport simulation', seed: p.seed },
    },
  );
  return {
    params: p,
    curve,
    emissionsByState: {
      bright: Array.from(acc.countBright),
      dark: Array.from(acc.countDark),
      trapped: Array.from(acc.countTrapped),
    },
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
export function simulateTransport(
  input: TransportSimulationInput,
  options: SimulateOptions = {},
): TransportSimulationResult {
  const p = normalizeSimulationParams(input);
  const cfg = kernelConfigFor(p, options);
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
  /**
   * Run on the backend's shared persistent worker pool (default true): the workers stay up,
   * idle and `unref`-ed, between calls, so later runs start at once on warm (JIT-compiled)
   * workers that also keep the kernel tables of the last parameter set. With false, workers
   * are started for this call and terminated at the end.
   */
  keepAlive?: boolean;
}

const TASK_MODULE = new URL(
  /\.ts$/.test(new URL(import.meta.url).pathname) ? './task.ts' : './task.js',
  import.meta.url,
).href;

/**
 * Run the lattice Monte Carlo on worker threads; the result is identical to `simulateTransport`
 * with the same seed, whatever the number of workers. This thread works beside `workers - 1`
 * workers of the backend's shared persistent pool (`getSharedWorkerPool` in `nanolum/parallel`),
 * claiming chunks of walkers from a shared counter; the pool's workers stay up between calls
 * (idle ones do not keep a Node process alive), so only the first call pays for starting them.
 * Without SharedArrayBuffer (e.g. a browser page that is not cross-origin isolated) the chunks
 * are split over the workers instead. In Node, import `nanolum/node` first to register the
 * worker_threads backend (otherwise it runs in-thread).
 *
 * @example
 * import 'nanolum/node';
 * const r = await simulateTransportParallel({ ...preset('004-5nm-9K'), walkers: 1_000_000 }, { workers: 2 });
 */
export async function simulateTransportParallel(
  input: TransportSimulationInput,
  options: SimulateParallelOptions = {},
): Promise<TransportSimulationResult> {
  const p = normalizeSimulationParams(input);
  const simOptions: SimulateOptions =
    options.profileHalfWidthSites === undefined
      ? {}
      : { profileHalfWidthSites: options.profileHalfWidthSites };
  const nChunks = chunkCount(p);
  const workers = options.workers;
  // Small runs: starting workers costs more than it saves.
  const small = workers === undefined && p.walkers * p.steps < 2e7;
  if (nChunks < 2 || small || (workers !== undefined && workers <= 1)) {
    if (options.signal?.aborted) throw new CancelledError('transport simulation cancelled');
    return simulateTransport(p, simOptions);
  }
  if (options.signal?.aborted) throw new CancelledError('transport simulation cancelled');
  const { getDefaultBackend, getSharedWorkerPool, growWorkerPool, createWorkerPool } =
    await import('../parallel/index.js');
  const backend = getDefaultBackend();
  const nw = Math.max(1, workers ?? backend.concurrency());
  const keepAlive = options.keepAlive !== false;
  const pool = keepAlive
    ? getSharedWorkerPool(backend)
    : createWorkerPool({ backend, workers: nw });
  if (keepAlive) growWorkerPool(pool, nw);
  try {
    return await runOnPool(p, simOptions, nChunks, nw, pool, options);
  } finally {
    if (!keepAlive) await pool.close();
  }
}

/** Longest stretch of work in this thread between two looks at the event loop (cancellation, progress). */
const SLICE_MS = 50;

/**
 * This thread's share of the work-sharing run, giving the event loop a turn every SLICE_MS so
 * that an abort is noticed (this thread then stops claiming chunks; the pool terminates the
 * workers) and progress is reported: chunks claimed minus those the workers may still be
 * running, i.e. a lower bound of the chunks done.
 */
async function drainInSlices(
  cfg: KernelConfig,
  counter: Int32Array,
  nChunks: number,
  acc: Accumulators,
  nWorkers: number,
  options: SimulateParallelOptions,
): Promise<void> {
  let last = performance.now();
  let reported = 0;
  for (;;) {
    const c = Atomics.add(counter, 0, 1);
    if (c >= nChunks) return;
    runChunks(cfg, c, c + 1, acc);
    if (performance.now() - last >= SLICE_MS) {
      const done = Math.max(0, Math.min(nChunks, Atomics.load(counter, 0)) - nWorkers);
      if (options.onProgress && done > reported) {
        reported = done;
        options.onProgress(done, nChunks);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) return;
      last = performance.now();
    }
  }
}

async function runOnPool(
  p: TransportSimulationParams,
  simOptions: SimulateOptions,
  nChunks: number,
  nw: number,
  pool: WorkerPool,
  options: SimulateParallelOptions,
): Promise<TransportSimulationResult> {
  const backend = pool.backend;
  const half = options.profileHalfWidthSites ?? Math.min(2000, Math.ceil(4 * p.sigma0Sites) + 20);
  const acc = createAccumulators(p.steps, p.dimension, half);
  let parts: Accumulators[];
  const canShare =
    typeof SharedArrayBuffer === 'function' &&
    (typeof crossOriginIsolated === 'undefined' || crossOriginIsolated);
  if (options.shareThisThread !== false && canShare && !backend.inThread) {
    // Work sharing: this thread and nw - 1 workers claim chunks from one shared counter, so this
    // (already compiled) thread starts at once and workers join as soon as they are up.
    const { drainQueue } = await import('./task.js');
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const items = Array.from({ length: nw - 1 }, () => ({
      params: p,
      options: simOptions,
      counter,
      nChunks,
      grab: 1,
    }));
    // Chunks are posted to the workers synchronously inside map(), before this thread starts.
    const pending = pool.map<(typeof items)[number], Accumulators>(
      { module: TASK_MODULE, fn: 'runTransportQueue' },
      items,
      {
        workers: nw - 1,
        seed: p.seed,
        chunkSize: 1,
        signal: options.signal,
      },
    );
    pending.catch(() => undefined); // handled below; avoid an unhandled rejection while this thread works
    const cfg = kernelConfigFor(p, simOptions);
    if (!options.signal && !options.onProgress) drainQueue(cfg, counter, nChunks, 1, acc);
    else await drainInSlices(cfg, counter, nChunks, acc, nw - 1, options);
    if (options.signal?.aborted)
      throw new CancelledError(
        `transport simulation cancelled (${Math.min(nChunks, Atomics.load(counter, 0))} of ${nChunks} chunks started)`,
      );
    parts = await pending;
    options.onProgress?.(nChunks, nChunks);
  } else {
    // Static split over workers (e.g. browsers without cross-origin isolation).
    const nItems = Math.min(nChunks, nw * 4);
    const items: Array<{
      params: TransportSimulationParams;
      options: SimulateOptions;
      chunkStart: number;
      chunkEnd: number;
    }> = [];
    for (let i = 0; i < nItems; i++) {
      const a = Math.floor((i * nChunks) / nItems);
      const b = Math.floor(((i + 1) * nChunks) / nItems);
      if (b > a) items.push({ params: p, options: simOptions, chunkStart: a, chunkEnd: b });
    }
    parts = await pool.map<(typeof items)[number], Accumulators>(
      { module: TASK_MODULE, fn: 'runTransportTask' },
      items,
      {
        workers: nw,
        seed: p.seed,
        chunkSize: 1,
        signal: options.signal,
        onProgress: options.onProgress,
      },
    );
  }
  for (const part of parts) addAccumulators(acc, part);
  return summarizeAccumulators(p, acc, half);
}
