/**
 * `fitFlim`: per-pixel lifetime fits of a FLIM image cube (y, x, time), in parallel over worker
 * threads with the project's `parallelMap`.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import type { FitMethod } from '../../fit/types.js';
import { parallelMap } from '../../parallel/parallel-map.js';
import { fitDecay, prepareDecaySetup } from '../tcspc/fit-decay.js';
import type { DecayFitResult, FitDecayOptions, IrfInput } from '../tcspc/types.js';
import { FLIM_STATUS, type PixelMaps, type PixelSetup } from './pixel.js';
import type { FlimBlock } from './task.js';

const TASK_MODULE = new URL(
  /\.ts$/.test(new URL(import.meta.url).pathname) ? './task.ts' : './task.js',
  import.meta.url,
).href;

/** A FLIM image cube: a calibrated array with axes (y, x, time), or raw data of shape [ny, nx, nt]. */
export type FlimCube =
  | CalibratedArray
  | { data: ArrayLike<number>; shape: [number, number, number]; binNs: number; originNs?: number };

/** Options of {@link fitFlim}. */
export interface FitFlimOptions {
  /** Measured IRF (as for `fitDecay`), or a Gaussian IRF. */
  irf?: IrfInput;
  gaussianIrf?: { fwhmNs: number; centerNs?: number };
  /** Exponential components per pixel (default 1). */
  components?: 1 | 2 | 3;
  /** Spatial binning: each pixel's decay is the sum over the (2b+1) x (2b+1) square around it (default 0). */
  binning?: number;
  /** Pixels with fewer counts (after binning, in the fit range) are not fitted (default 50). */
  minCounts?: number;
  fitRange?: { startNs?: number; endNs?: number };
  /** `fit` (default): a background per pixel; a number fixes it (counts per bin per pixel, after binning). */
  background?: 'fit' | number;
  irfBackground?: 'auto' | number;
  repetitionPeriodNs?: number;
  /** Lifetimes held fixed in every pixel (null: free), e.g. from a global analysis: then only amplitudes are fitted. */
  fixTauNs?: (number | null)[];
  /** Shift of the IRF (ns) to start the whole-image fit from, or to hold fixed with `shift: false`. */
  shiftNs?: number;
  shift?: boolean;
  method?: FitMethod;
  /** Iteration cap per pixel (default 100). */
  maxIterations?: number;
  /** Worker threads (default: the parallel backend's concurrency; 0 or 1: this thread). */
  workers?: number;
  /** Image rows per task (default: about 16 tasks per worker). */
  rowsPerTask?: number;
  /** Called as blocks finish with (pixels done, pixels total). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Result of {@link fitFlim}: maps are row-major (y, x), NaN where a pixel was not fitted. */
export interface FlimResult extends PixelMaps {
  width: number;
  height: number;
  components: number;
  /** Pixels per status (see `FLIM_STATUS`). */
  statusCounts: { converged: number; notConverged: number; skipped: number; failed: number };
  /** Fit of the decay summed over the whole image (gives the IRF shift and the starting values). */
  global: DecayFitResult;
  /** IRF shift (measured IRF) or centre (Gaussian IRF) used for every pixel, ns, from the summed decay. */
  shiftNs: number;
  /** Its standard error (null when it was given, not fitted). */
  shiftStderrNs: number | null;
  binning: number;
  binNs: number;
  fitRange: { startNs: number; endNs: number };
  warnings: string[];
}

interface NormalizedCube {
  data: ArrayLike<number>;
  ny: number;
  nx: number;
  nt: number;
  binNs: number;
  originNs: number;
}

const TIME_UNITS: Record<string, number> = { ns: 1, ps: 1e-3, us: 1e3, µs: 1e3, '': 1 };

function normalizeCube(cube: FlimCube): NormalizedCube {
  if (cube === null || typeof cube !== 'object')
    throw new InvalidInputError(
      'fitFlim: the cube must be a calibrated array (y, x, time) or { data, shape, binNs }',
    );
  if ('axes' in cube && Array.isArray(cube.axes)) {
    const a = cube.axes;
    if (a.length !== 3)
      throw new InvalidInputError(
        `fitFlim: the cube must have 3 axes (y, x, time), got ${a.map((x) => `${x.name}[${x.size}]`).join(' x ')}`,
      );
    const ti = a.findIndex((x) => x.name === 'time');
    if (ti >= 0 && ti !== 2)
      throw new InvalidInputError(
        `fitFlim: the time axis must be the last axis, but it is axis ${ti + 1} of ${a.map((x) => x.name).join(', ')}`,
      );
    const t = a[2]!;
    const f = TIME_UNITS[t.unit.trim()];
    if (f === undefined)
      throw new InvalidInputError(`fitFlim: the time axis is in "${t.unit}"; expected ns or ps`);
    if (t.coordinates) throw new InvalidInputError('fitFlim: the time axis must be uniform');
    if (!(t.scale > 0))
      throw new InvalidInputError(`fitFlim: the time axis step must be positive, got ${t.scale}`);
    return {
      data: cube.data,
      ny: a[0]!.size,
      nx: a[1]!.size,
      nt: t.size,
      binNs: t.scale * f,
      originNs: t.offset * f,
    };
  }
  const c = cube as {
    data: ArrayLike<number>;
    shape: [number, number, number];
    binNs: number;
    originNs?: number;
  };
  if (
    !Array.isArray(c.shape) ||
    c.shape.length !== 3 ||
    !c.shape.every((v) => Number.isInteger(v) && v > 0)
  ) {
    throw new InvalidInputError(
      `fitFlim: shape must be [ny, nx, nt] (positive integers), got ${JSON.stringify(c.shape)}`,
    );
  }
  const [ny, nx, nt] = c.shape;
  if (!c.data || c.data.length !== ny * nx * nt) {
    throw new InvalidInputError(
      `fitFlim: data has ${c.data?.length} values but shape ${ny} x ${nx} x ${nt} needs ${ny * nx * nt}`,
    );
  }
  if (!(c.binNs > 0) || !Number.isFinite(c.binNs))
    throw new InvalidInputError(`fitFlim: binNs must be a positive number, got ${c.binNs}`);
  return { data: c.data, ny, nx, nt, binNs: c.binNs, originNs: c.originNs ?? 0 };
}

/**
 * Fits the decay of every pixel of a FLIM cube (axes y, x, time) by reconvolution with the IRF:
 * first the decay summed over the image (IRF shift, lifetimes, background; see `fitDecay`),
 * then each pixel with the IRF shift held at that value and starting values scaled from the
 * whole-image fit, by Poisson maximum likelihood with the fitting engine. Pixels run in blocks of
 * rows on worker threads (`parallelMap`; in Node import `nanolum/node` first to register the
 * worker_threads backend, otherwise everything runs in this thread). `binning` sums each pixel's
 * neighbourhood first; pixels with fewer than `minCounts` counts are skipped.
 *
 * Returns lifetime, amplitude, background, reduced chi-square, photon and status maps (NaN where
 * not fitted), and the whole-image fit. Rejects with `CancelledError` when `signal` aborts.
 *
 * @example
 * import 'nanolum/node';
 * const flim = await fitFlim(cube, { irf, binning: 1, onProgress: (d, n) => console.log(`${d}/${n}`) });
 * flim.lifetimeNs; // Float64Array of height * width lifetimes (ns)
 */
export async function fitFlim(cube: FlimCube, options: FitFlimOptions = {}): Promise<FlimResult> {
  const c = normalizeCube(cube);
  const { ny, nx, nt, binNs, originNs } = c;
  const K = options.components ?? 1;
  if (![1, 2, 3].includes(K))
    throw new InvalidInputError(`fitFlim: components must be 1, 2 or 3, got ${String(K)}`);
  const binning = options.binning ?? 0;
  if (!Number.isInteger(binning) || binning < 0 || binning > 50)
    throw new InvalidInputError(`fitFlim: binning must be an integer from 0 to 50, got ${binning}`);
  const minCounts = options.minCounts ?? 50;
  if (!(minCounts >= 1) || !Number.isFinite(minCounts))
    throw new InvalidInputError(`fitFlim: minCounts must be >= 1, got ${minCounts}`);
  if (
    options.rowsPerTask !== undefined &&
    !(Number.isInteger(options.rowsPerTask) && options.rowsPerTask >= 1)
  ) {
    throw new InvalidInputError(
      `fitFlim: rowsPerTask must be a positive integer, got ${options.rowsPerTask}`,
    );
  }
  const maxIterations = options.maxIterations ?? 100;

  // the decay summed over the image (checks the data on the way)
  const summed = new Float64Array(nt);
  const data = c.data;
  for (let p = 0; p < ny * nx; p++) {
    const base = p * nt;
    for (let t = 0; t < nt; t++) {
      const v = data[base + t]!;
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new InvalidInputError(
          `fitFlim: the cube has ${v} counts at pixel (y ${Math.floor(p / nx)}, x ${p % nx}), time bin ${t}; counts must be finite and >= 0`,
        );
      }
      summed[t]! += v;
    }
  }
  const nPix = ny * nx;
  const bgOpt = options.background ?? 'fit';
  const pixelsPerBin = (2 * binning + 1) ** 2;
  const decayOptions: FitDecayOptions = {
    components: K,
    ...(options.irf !== undefined ? { irf: options.irf } : {}),
    ...(options.gaussianIrf !== undefined ? { gaussianIrf: options.gaussianIrf } : {}),
    ...(options.fitRange ? { fitRange: options.fitRange } : {}),
    ...(options.irfBackground !== undefined ? { irfBackground: options.irfBackground } : {}),
    ...(options.repetitionPeriodNs !== undefined
      ? { repetitionPeriodNs: options.repetitionPeriodNs }
      : {}),
    ...(options.fixTauNs ? { fixTauNs: options.fixTauNs } : {}),
    ...(options.shiftNs !== undefined ? { shiftNs: options.shiftNs } : {}),
    ...(options.shift !== undefined ? { shift: options.shift } : {}),
    ...(options.method ? { method: options.method } : {}),
    // a fixed per-pixel background (after binning) is nPix / pixelsPerBin times that in the sum
    ...(bgOpt !== 'fit' ? { background: (bgOpt * nPix) / pixelsPerBin } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const hist = { counts: summed, binNs, originNs };
  const setup = prepareDecaySetup(hist, decayOptions);
  // the IRF position, from the summed decay: a mixture of the pixels' decays, so it is found with
  // as many components as the data support (a too-simple model would misplace it)
  let shiftOptions: FitDecayOptions = {};
  let shiftStderr: number | null = null;
  if (options.shift !== false && !options.fixTauNs?.every((t) => t !== null && t !== undefined)) {
    const rest: FitDecayOptions = { ...decayOptions };
    delete rest.fixTauNs;
    const forShift = fitDecay(hist, { ...rest, components: 'auto', maxComponents: 3 });
    const q = (forShift.shiftNs ?? forShift.irfCenterNs)!;
    shiftOptions = { shift: false, shiftNs: q.value };
    shiftStderr = q.stderr;
  }
  const global = fitDecay(hist, { ...decayOptions, ...shiftOptions });
  const warnings = [...global.warnings.map((w) => `whole-image fit: ${w}`)];
  const [s, e] = setup.window;
  let windowCounts = 0;
  let moment = 0;
  for (let i = s; i < e; i++) {
    windowCounts += summed[i]!;
    moment += summed[i]! * (originNs + (i + 0.5) * binNs);
  }
  const shiftNs = (global.shiftNs ?? global.irfCenterNs)!.value;
  // components of the whole-image fit, by lifetime (as reported)
  const taus = global.components.map((comp) => comp.tauNs);
  const pixel: PixelSetup = {
    nt,
    binNs,
    originNs,
    window: [s, e],
    irf: setup.irf,
    periodNs: setup.periodNs,
    shiftNs,
    nComponents: K,
    tauNs: taus,
    fixTauNs: taus.map((tau, k) =>
      options.fixTauNs?.[k] !== null && options.fixTauNs?.[k] !== undefined ? tau : null,
    ),
    amplitudePerCount: global.components.map((comp) => comp.amplitude / windowCounts),
    backgroundPerCount: global.background.value / windowCounts,
    fixedBackground: bgOpt === 'fit' ? null : bgOpt,
    centroidNs: moment / windowCounts,
    minCounts,
    method: options.method ?? 'poisson',
    maxIterations,
  };

  // blocks of rows
  const workers = options.workers;
  const rowsPerTask =
    options.rowsPerTask ?? Math.max(1, Math.floor(ny / (Math.max(1, workers ?? 2) * 16)));
  const blocks: FlimBlock[] = [];
  const rowLen = nx * nt;
  const slice = (from: number, to: number): ArrayLike<number> =>
    ArrayBuffer.isView(data)
      ? (data as unknown as Float64Array).subarray(from, to)
      : Array.prototype.slice.call(data, from, to);
  for (let y0 = 0; y0 < ny; y0 += rowsPerTask) {
    const y1 = Math.min(ny, y0 + rowsPerTask);
    const h0 = Math.max(0, y0 - binning);
    const h1 = Math.min(ny, y1 + binning);
    blocks.push({
      setup: pixel,
      data: slice(h0 * rowLen, h1 * rowLen),
      nRows: h1 - h0,
      haloTop: y0 - h0,
      haloBottom: h1 - y1,
      nx,
      binning,
    });
  }
  const blockStarts = blocks.map((_, i) => i * rowsPerTask);
  const onProgress = options.onProgress;
  let donePixels = 0;
  const parts = await parallelMap<FlimBlock, PixelMaps>(
    { module: TASK_MODULE, fn: 'fitFlimBlock' },
    blocks,
    {
      ...(workers !== undefined ? { workers } : {}),
      chunkSize: 1,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress
        ? {
            onProgress: (done: number) => {
              donePixels = Math.min(nPix, done * rowsPerTask * nx);
              onProgress(donePixels, nPix);
            },
          }
        : {}),
    },
  );

  // assemble the maps
  const nan = (): Float64Array => new Float64Array(nPix).fill(NaN);
  const out = {
    lifetimeNs: nan(),
    lifetimeStderrNs: nan(),
    amplitude: nan(),
    tauNs: Array.from({ length: K }, nan),
    amplitudes: Array.from({ length: K }, nan),
    background: nan(),
    chi2: nan(),
    photons: new Float64Array(nPix),
    status: new Uint8Array(nPix),
  };
  parts.forEach((part, b) => {
    const off = blockStarts[b]! * nx;
    out.lifetimeNs.set(part.lifetimeNs, off);
    out.lifetimeStderrNs.set(part.lifetimeStderrNs, off);
    out.amplitude.set(part.amplitude, off);
    for (let k = 0; k < K; k++) {
      out.tauNs[k]!.set(part.tauNs[k]!, off);
      out.amplitudes[k]!.set(part.amplitudes[k]!, off);
    }
    out.background.set(part.background, off);
    out.chi2.set(part.chi2, off);
    out.photons.set(part.photons, off);
    out.status.set(part.status, off);
  });
  const statusCounts = { converged: 0, notConverged: 0, skipped: 0, failed: 0 };
  for (let p = 0; p < nPix; p++) {
    const st = out.status[p]!;
    if (st === FLIM_STATUS.converged) statusCounts.converged++;
    else if (st === FLIM_STATUS.notConverged) statusCounts.notConverged++;
    else if (st === FLIM_STATUS.skipped) statusCounts.skipped++;
    else statusCounts.failed++;
  }
  if (statusCounts.skipped > 0)
    warnings.push(
      `${statusCounts.skipped} of ${nPix} pixels have fewer than ${minCounts} counts and were not fitted (use binning to pool neighbours)`,
    );
  if (statusCounts.notConverged > 0)
    warnings.push(`${statusCounts.notConverged} pixel fits did not converge (status 1)`);
  if (statusCounts.failed > 0) warnings.push(`${statusCounts.failed} pixel fits failed (status 3)`);
  return {
    width: nx,
    height: ny,
    components: K,
    ...out,
    statusCounts,
    global,
    shiftNs,
    shiftStderrNs: shiftStderr,
    binning,
    binNs,
    fitRange: { startNs: originNs + s * binNs, endNs: originNs + e * binNs },
    warnings,
  };
}
