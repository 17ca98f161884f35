/**
 * Check that the plain per-step numba peer (`transport-peer-plain.py`) simulates the same model as
 * nanolum's `simulateTransport`: same parameters, different random streams, so the outputs must
 * agree within statistical error. Prints both programs' photon counts (total and by emitting
 * state), survivors, and the displacement MSD(t) per step, with z-scores.
 *
 * Usage: npx tsx bench/transport-plain-check.ts [walkers]   (default 200000)
 *
 * Statistics: photon counts are binomial (each walker emits or survives), z = difference over
 * sqrt(2 W p (1 - p)) with the pooled p; per-step counts by chi^2 = sum (c1 - c2)^2 / (c1 + c2);
 * MSD per step and in windows of steps by z = difference / sqrt(se1^2 + se2^2) from each side's
 * sums of r^2 and r^4; chi^2 values are turned into a normal z by Wilson-Hilferty. The disorder
 * case draws its random lattice differently on each side (same statistics, different
 * realisations), and a 150 x 150 lattice seen by walkers that start within ~10 sites of the
 * centre makes the MSD vary between realisations by several times the walkers' noise; so that
 * case runs 8 lattice realisations per side (walkers / 8 each) and its MSD z-scores use the
 * spread between realisations (standard error of their mean) instead.
 *
 * Both sides are also compared with the exact expectation of nanolum's analytic Markov chain
 * (`markovCurve`): photon counts by state in every case (the state dynamics does not depend on
 * the position, so this holds with disorder too), MSD(t) on the uniform lattices.
 */
import type * as TransportApi from '../src/transport/index.js';
import { peerScript, runPeer } from './util.js';

type Api = typeof TransportApi;
type Params = Parameters<Api['simulateTransport']>[0];
type MarkovCurve = ReturnType<Api['markovCurve']>;

interface PlainRun {
  emitted: number;
  survivors: number;
  sumR2: number;
  count: number[];
  r2: number[];
  r4: number[];
  countBright: number[];
  countDark: number[];
  countTrapped: number[];
}

/** Per-step sums of one side. */
interface Sums {
  count: number[];
  r2: number[];
  r4: number[];
  bright: number;
  dark: number;
  trapped: number;
  emitted: number;
  survivors: number;
}

const sum = (xs: number[]): number => xs.reduce((s, v) => s + v, 0);

/** Wilson-Hilferty: chi^2 with k degrees of freedom as an approximately standard normal z. */
function chi2z(chi2: number, k: number): number {
  const a = 2 / (9 * k);
  return (Math.cbrt(chi2 / k) - (1 - a)) / Math.sqrt(a);
}

/** z of two binomial counts out of `w` trials each. */
function binomZ(a: number, b: number, w: number): number {
  const p = (a + b) / (2 * w);
  const v = 2 * w * p * (1 - p);
  return v > 0 ? (a - b) / Math.sqrt(v) : 0;
}

/** Mean of r^2 / d over steps [lo, hi) and its standard error. */
function msd(s: Sums, lo: number, hi: number, d: number): { m: number; se: number; c: number } {
  let c = 0;
  let r2 = 0;
  let r4 = 0;
  for (let n = lo; n < hi; n++) {
    c += s.count[n];
    r2 += s.r2[n];
    r4 += s.r4[n];
  }
  if (c < 2) return { m: NaN, se: NaN, c };
  const m = r2 / c;
  return { m: m / d, se: Math.sqrt(Math.max(0, r4 / c - m * m) / (c - 1)) / d, c };
}

function fromNanolum(r: ReturnType<Api['simulateTransport']>, d: number): Sums {
  // Per-step sums recovered from the curve: r2 = msd d c, r4 = c (se^2 d^2 (c - 1) + (r2 / c)^2).
  const count = r.curve.map((q) => q.emissions);
  const r2 = r.curve.map((q) => (q.msdDisplacementSites2 ?? 0) * d * q.emissions);
  const r4 = r.curve.map((q, n) => {
    const c = q.emissions;
    if (c < 1) return 0;
    const se = q.msdDisplacementStderr ?? 0;
    return c * (se * se * d * d * (c - 1) + (r2[n] / c) ** 2);
  });
  return {
    count,
    r2,
    r4,
    bright: sum(r.emissionsByState.bright),
    dark: sum(r.emissionsByState.dark),
    trapped: sum(r.emissionsByState.trapped),
    emitted: r.emitted,
    survivors: r.survivors,
  };
}

function fromPlain(r: PlainRun): Sums {
  return {
    count: r.count,
    r2: r.r2,
    r4: r.r4,
    bright: sum(r.countBright),
    dark: sum(r.countDark),
    trapped: sum(r.countTrapped),
    emitted: r.emitted,
    survivors: r.survivors,
  };
}

const pad = (s: string, n: number): string => s.padStart(n);
const f = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toPrecision(digits) : 'n/a');

/** Element-wise sum of realisations (counts and sums add). */
function pool(xs: Sums[]): Sums {
  const add = (k: 'count' | 'r2' | 'r4') =>
    xs[0][k].map((_, n) => xs.reduce((acc, x) => acc + x[k][n], 0));
  const tot = (k: 'bright' | 'dark' | 'trapped' | 'emitted' | 'survivors') =>
    xs.reduce((acc, x) => acc + x[k], 0);
  return {
    count: add('count'),
    r2: add('r2'),
    r4: add('r4'),
    bright: tot('bright'),
    dark: tot('dark'),
    trapped: tot('trapped'),
    emitted: tot('emitted'),
    survivors: tot('survivors'),
  };
}

/**
 * MSD over steps [lo, hi) of the pooled walkers; with several realisations, the standard error
 * is that of the mean over realisations (their spread), else the walkers' standard error.
 */
function msdOf(
  xs: Sums[],
  lo: number,
  hi: number,
  d: number,
): { m: number; se: number; c: number } {
  const all = msd(pool(xs), lo, hi, d);
  if (xs.length < 2) return all;
  const ms = xs.map((x) => msd(x, lo, hi, d).m);
  const mean = sum(ms) / ms.length;
  const sd = Math.sqrt(sum(ms.map((m) => (m - mean) ** 2)) / (ms.length - 1));
  return { m: mean, se: sd / Math.sqrt(ms.length), c: all.c };
}

/** z of two estimates with standard errors (0 when both are exact and equal). */
function zOf(p: { m: number; se: number }, q: { m: number; se: number }): number {
  const s = Math.hypot(p.se, q.se);
  return s > 0 ? (p.m - q.m) / s : p.m === q.m ? 0 : NaN;
}

/**
 * Compare both sides of one case (lists of realisations, `walkers` in total per side); prints a
 * report and returns the |z| of its summary tests.
 */
function compare(
  name: string,
  d: number,
  walkers: number,
  as: Sums[],
  bs: Sums[],
  exact: MarkovCurve,
  exactMsd: boolean,
): number[] {
  const a = pool(as);
  const b = pool(bs);
  const N = a.count.length;
  const R = as.length;
  console.log(`\n## ${name}`);
  if (R > 1) console.log(`(${R} lattice realisations per side; MSD errors from their spread)`);
  console.log(
    `${'quantity'.padEnd(34)}${pad('nanolum', 12)}${pad('numba per-step', 16)}${pad('z', 7)}   |${pad('exact', 11)}${pad('z nanolum', 11)}${pad('z numba', 9)}`,
  );
  const zs: number[] = [];
  /** One line: both sides, their z, and (when known) the exact value and each side's z against it. */
  const line = (
    label: string,
    x: number,
    y: number,
    z: number,
    ex: number,
    zx: number,
    zy: number,
  ) => {
    zs.push(Math.abs(z));
    if (Number.isFinite(ex)) zs.push(Math.abs(zx), Math.abs(zy));
    const tail = Number.isFinite(ex)
      ? `${pad(f(ex, 7), 11)}${pad(zx.toFixed(2), 11)}${pad(zy.toFixed(2), 9)}`
      : `${pad('-', 11)}`;
    console.log(
      `${label.padEnd(34)}${pad(f(x, 7), 12)}${pad(f(y, 7), 16)}${pad(z.toFixed(2), 7)}   |${tail}`,
    );
  };
  // Photon counts: binomial out of `walkers`; the exact expectation holds with disorder too
  // (the states do not depend on the position).
  const count = (label: string, x: number, y: number, perExciton: number) => {
    const ex = walkers * perExciton;
    const sd = Math.sqrt(ex * (1 - perExciton));
    line(label, x, y, binomZ(x, y, walkers), ex, (x - ex) / sd, (y - ex) / sd);
  };
  const total = (e: Float64Array) => e.reduce((acc, v) => acc + v, 0);
  count('photons (emitted)', a.emitted, b.emitted, total(exact.emission));
  count('survivors', a.survivors, b.survivors, 1 - total(exact.emission));
  count('  photons from bright', a.bright, b.bright, total(exact.emissionBright));
  count('  photons from dark', a.dark, b.dark, total(exact.emissionDark));
  if (a.trapped + b.trapped > 0)
    count('  photons from trapped', a.trapped, b.trapped, total(exact.emissionTrapped));
  /** Exact MSD over steps [lo, hi) (uniform lattice only), else NaN. */
  const exactWindow = (lo: number, hi: number): number => {
    if (!exactMsd) return NaN;
    let e = 0;
    let em = 0;
    for (let n = lo; n < hi; n++) {
      e += exact.emission[n];
      em += exact.emission[n] * exact.msdSites2[n];
    }
    return e > 0 ? em / e : NaN;
  };
  const all = [msdOf(as, 0, N, d), msdOf(bs, 0, N, d)];
  const exAll = exactWindow(0, N);
  line(
    'MSD of all photons (sites^2/axis)',
    all[0].m,
    all[1].m,
    zOf(all[0], all[1]),
    exAll,
    (all[0].m - exAll) / all[0].se,
    (all[1].m - exAll) / all[1].se,
  );
  // Per-step photon counts.
  let chiC = 0;
  let kC = 0;
  for (let n = 0; n < N; n++) {
    const s = a.count[n] + b.count[n];
    if (s > 0) {
      chiC += (a.count[n] - b.count[n]) ** 2 / s;
      kC++;
    }
  }
  const zC = chi2z(chiC, kC);
  zs.push(Math.abs(zC));
  console.log(
    `per-step photons:  chi2/dof = ${(chiC / kC).toFixed(3)} (dof ${kC}), z = ${zC.toFixed(2)}`,
  );
  if (R === 1) {
    // Per-step MSD (steps with >= 30 photons on both sides and a non-zero spread).
    let chiM = 0;
    let kM = 0;
    let zMax = 0;
    let zMaxAt = -1;
    for (let n = 0; n < N; n++) {
      if (a.count[n] < 30 || b.count[n] < 30) continue;
      const p = msd(a, n, n + 1, d);
      const q = msd(b, n, n + 1, d);
      if (!(Math.hypot(p.se, q.se) > 0)) continue;
      const z = zOf(p, q);
      chiM += z * z;
      kM++;
      if (Math.abs(z) > Math.abs(zMax)) {
        zMax = z;
        zMaxAt = n;
      }
    }
    const zM = kM > 0 ? chi2z(chiM, kM) : 0;
    zs.push(Math.abs(zM));
    console.log(
      `per-step MSD:      chi2/dof = ${(chiM / Math.max(1, kM)).toFixed(3)} (dof ${kM}), z = ${zM.toFixed(2)}; largest |z| ${Math.abs(zMax).toFixed(2)} at step ${zMaxAt} (of ${kM} steps: ~${Math.sqrt(2 * Math.log(Math.max(2, kM))).toFixed(1)} expected)`,
    );
  }
  console.log(
    `${'MSD(t), steps'.padEnd(14)}${pad('photons', 16)}${pad('nanolum', 18)}${pad('numba per-step', 18)}${pad('z', 7)}   |${exactMsd ? `${pad('exact', 11)}${pad('z nanolum', 11)}${pad('z numba', 9)}` : ' (no exact MSD with disorder)'}`,
  );
  const edges = [0, 2, 5, 10, 20, 40, 80, 160, 240, 320, 400, 600].filter((e) => e < N);
  edges.push(N);
  for (let i = 0; i + 1 < edges.length; i++) {
    const [lo, hi] = [edges[i], edges[i + 1]];
    const p = msdOf(as, lo, hi, d);
    const q = msdOf(bs, lo, hi, d);
    const z = zOf(p, q);
    if (Number.isFinite(z)) zs.push(Math.abs(z));
    const ex = exactWindow(lo, hi);
    const zx = zOf(p, { m: ex, se: 0 });
    const zy = zOf(q, { m: ex, se: 0 });
    if (Number.isFinite(ex)) zs.push(Math.abs(zx), Math.abs(zy));
    console.log(
      `${`${lo}-${hi - 1}`.padEnd(14)}${pad(`${p.c} / ${q.c}`, 16)}${pad(`${f(p.m)} +- ${f(p.se, 2)}`, 18)}${pad(`${f(q.m)} +- ${f(q.se, 2)}`, 18)}${pad(Number.isFinite(z) ? z.toFixed(2) : 'n/a', 7)}   |` +
        (Number.isFinite(ex)
          ? `${pad(f(ex), 11)}${pad(zx.toFixed(2), 11)}${pad(zy.toFixed(2), 9)}`
          : ''),
    );
  }
  return zs.map((z) => (Number.isFinite(z) ? z : Infinity));
}

async function main(): Promise<void> {
  const walkers = Number(process.argv[2] ?? 200_000);
  const api: Api = await import('../src/transport/index.js');
  const p9 = api.preset('004-5nm-9K');
  const trap = api.preset('004-trap');
  const cases: Array<{ name: string; params: Params; realisations: number }> = [
    { name: '9 K (004-5nm-9K), 300 steps', params: { ...p9, walkers, seed: 11 }, realisations: 1 },
    {
      name: 'trap model (004-trap), 400 steps',
      params: { ...trap, walkers, steps: 400, seed: 12 },
      realisations: 1,
    },
    {
      name: '3-D, dark->bright 0.02 (004-5nm-warm), 400 steps',
      params: { ...api.preset('004-5nm-warm'), dimension: 3, walkers, steps: 400, seed: 13 },
      realisations: 1,
    },
    {
      name: 'trap model + disorder 20 meV at 50 K + 10 % vacancies, 300 steps',
      params: {
        ...trap,
        steps: 300,
        seed: 100,
        disorder: { sigmaMeV: 20, temperatureK: 50 },
        vacancyFraction: 0.1,
      },
      realisations: 8,
    },
  ];
  // One parameter set per realisation (seed + r: its own lattice and walkers).
  const runs = cases.map((c) =>
    Array.from({ length: c.realisations }, (_, r) =>
      api.normalizeSimulationParams({
        ...c.params,
        walkers: Math.round(walkers / c.realisations),
        seed: (c.params.seed ?? 1) + r,
      }),
    ),
  );
  const t0 = performance.now();
  const peer = runPeer(peerScript('transport-peer-plain.py'), [], {
    runs: runs.flat().map((config) => ({ repeats: 1, config })),
  }) as { numba: string; threads: number; runs: PlainRun[] };
  console.log(
    `numba ${peer.numba} (${peer.threads} threads), peer wall time incl. JIT ${((performance.now() - t0) / 1000).toFixed(1)} s; ${walkers} walkers per case and side, different random streams`,
  );
  let worst = 0;
  let worstCase = '';
  let tests = 0;
  let k = 0;
  for (const [i, c] of cases.entries()) {
    const ps = runs[i];
    const d = ps[0].dimension;
    const mine = ps.map((p) => fromNanolum(api.simulateTransport(p), d));
    const theirs = ps.map(() => fromPlain(peer.runs[k++]));
    const total = ps.reduce((s, p) => s + p.walkers, 0);
    const exact = api.markovCurve(ps[0], ps[0].steps);
    const z = compare(
      `${c.name}, ${total} walkers`,
      d,
      total,
      mine,
      theirs,
      exact,
      c.realisations === 1,
    );
    tests += z.length;
    const m = Math.max(...z);
    if (m > worst) [worst, worstCase] = [m, c.name];
  }
  // Family-wise threshold: |z| >= 4 has two-sided probability 6e-5, ~1 % over ~150 tests.
  console.log(
    `\nlargest |z| of ${tests} summary tests (counts, MSD windows, chi2 as z): ${worst.toFixed(2)} (${worstCase}); ~${Math.sqrt(2 * Math.log(tests)).toFixed(1)} expected from noise alone - ` +
      (worst < 4
        ? 'consistent within statistical error (threshold 4)'
        : 'DISAGREEMENT beyond statistical error (threshold 4)'),
  );
  if (worst >= 4) process.exitCode = 1;
}

await main();
