/**
 * Automatic starting values for decay fits, so that users need not supply any.
 *
 * The IRF position comes from the rising edges of the decay and the IRF, refined on a small grid.
 * Lifetimes come from a log-spaced grid (from about a bin, or a tenth of the IRF width, to twice
 * the fit window): for every trial set of lifetimes the amplitudes and the background are linear,
 * and are solved by non-negative least squares (weights 1/max(counts, 1)) from precomputed normal
 * equations. One component: the best grid lifetime; two: the best pair; more: components added
 * greedily, then a few sweeps of coordinate descent over the grid.
 *
 * @module
 */
import {
  DecayModel,
  type DecayModelOptions,
  type DecayTermKind,
  decayParamNames,
} from './model.js';
import { nnlsGram } from './nnls.js';
import { estimateBaseline } from './irf.js';
import { gramOfColumns } from '../../fit/linalg.js';

/** What the starting-value search needs to know about the fit. */
export interface StartProblem {
  counts: Float64Array;
  model: Omit<DecayModelOptions, 'terms' | 'shiftDerivative'>;
  terms: readonly DecayTermKind[];
  /** IRF FWHM in ns (for grids). */
  irfFwhmNs: number;
  /** Shift (ns) to start from; searched when `shiftFree`. */
  shift: number;
  shiftFree: boolean;
  /** Half-width of the shift search, ns. */
  shiftRange: number;
  /** Fixed background (counts per bin) or null when fitted. */
  fixedBackground: number | null;
  /** Lifetimes given by the user (start or fixed), per term; null = search. */
  taus: (number | null)[];
}

/** A candidate shape for one term. */
interface Candidate {
  kind: DecayTermKind;
  tau: number;
  extra: number;
}

const BETAS = [0.35, 0.5, 0.65, 0.8, 0.95];
const ALPHAS = [1.3, 1.7, 2.2, 3];

/** Smoothed rising half-maximum time (ns) of a histogram with its baseline removed. */
export function risingEdgeNs(
  y: ArrayLike<number>,
  binNs: number,
  originNs: number,
  smoothBins: number,
): number {
  const n = y.length;
  const base = estimateBaseline(y);
  const h = Math.max(0, Math.round(smoothBins / 2));
  // moving average over 2h + 1 bins (fewer at the ends), less the baseline
  const sm = new Float64Array(n);
  let peak = 0;
  let acc = 0;
  for (let i = 0; i < Math.min(n, h); i++) acc += y[i]!;
  const inner = 1 / (2 * h + 1);
  for (let i = 0; i < n; i++) {
    if (i + h < n) acc += y[i + h]!;
    if (i - h - 1 >= 0) acc -= y[i - h - 1]!;
    const full = i >= h && i + h < n;
    const v = (full ? acc * inner : acc / (Math.min(n - 1, i + h) - Math.max(0, i - h) + 1)) - base;
    sm[i] = v;
    if (v > sm[peak]!) peak = i;
  }
  const half = 0.5 * sm[peak]!;
  let i = peak;
  while (i > 0 && sm[i - 1]! > half) i--;
  const frac = i > 0 && sm[i]! !== sm[i - 1]! ? (half - sm[i - 1]!) / (sm[i]! - sm[i - 1]!) : 0;
  return originNs + (i - 1 + frac + 0.5) * binNs;
}

/** Log-spaced lifetime grid for a fit window. */
export function tauGrid(binNs: number, irfFwhmNs: number, windowNs: number, points = 16): number[] {
  const lo = Math.max(0.5 * binNs, 0.08 * irfFwhmNs, 1e-4);
  const hi = Math.max(4 * lo, 2 * windowNs);
  return Array.from({ length: points }, (_, i) => lo * Math.pow(hi / lo, i / (points - 1)));
}

/**
 * Starting values for a decay model (in `decayParamNames(terms)` order).
 *
 * @example
 * const p0 = decayStartValues(problem); // Float64Array [a1, tau1, ..., bg, shift]
 */
export function decayStartValues(prob: StartProblem): Float64Array {
  const { counts, model: mo } = prob;
  const [s, e] = mo.window ?? [0, mo.nBins];
  const n = e - s;
  const binNs = mo.binNs;
  const windowNs = n * binNs;
  const y = counts.subarray(s, e);
  const w = new Float64Array(n);
  const yy = new Float64Array(n);
  const fixedBg = prob.fixedBackground;
  for (let i = 0; i < n; i++) {
    w[i] = 1 / Math.max(y[i]!, 1);
    yy[i] = y[i]! - (fixedBg ?? 0);
  }
  // square roots of the weights, and the weighted data, for the Gram matrices of candidate columns
  const rw = new Float64Array(n);
  const ryy = new Float64Array(n);
  let yWyAll = 0;
  for (let i = 0; i < n; i++) {
    rw[i] = Math.sqrt(w[i]!);
    ryy[i] = rw[i]! * yy[i]!;
    yWyAll += ryy[i]! * ryy[i]!;
  }
  const grid = tauGrid(binNs, prob.irfFwhmNs, windowNs);

  // single-term models used to compute basis columns
  const single = new Map<DecayTermKind, DecayModel>();
  const basisModel = (kind: DecayTermKind): DecayModel => {
    let m = single.get(kind);
    if (!m) {
      m = new DecayModel({ ...mo, terms: [kind], shiftDerivative: false });
      single.set(kind, m);
    }
    return m;
  };
  const pExp = new Float64Array(4);
  const pGeneral = new Float64Array(5);
  /** A candidate's column over the window, as a view of the model's buffer (valid until the next call). */
  const basisView = (c: Candidate, shift: number): Float64Array => {
    const m = basisModel(c.kind);
    const p = c.kind === 'exp' ? pExp : pGeneral;
    p[0] = 1;
    p[1] = c.tau;
    if (c.kind === 'exp') {
      p[2] = 0;
      p[3] = shift;
    } else {
      p[2] = c.extra;
      p[3] = 0;
      p[4] = shift;
    }
    return m.unitResponse(p).subarray(s, e);
  };
  const candidatesFor = (kind: DecayTermKind, k: number): Candidate[] => {
    const given = prob.taus[k];
    const taus = given !== null && given !== undefined ? [given] : grid;
    if (kind === 'exp') return taus.map((tau) => ({ kind, tau, extra: 0 }));
    const extras = kind === 'stretched' ? BETAS : ALPHAS;
    const out: Candidate[] = [];
    for (const tau of taus) for (const extra of extras) out.push({ kind, tau, extra });
    return out;
  };

  const withBg = fixedBg === null;
  /**
   * Weighted normal equations of a set of columns (plus the background column when fitted),
   * computed once; subsets are then scored in O(k^3) without touching the data again.
   */
  const gramOf = (
    cands: Candidate[],
    shift: number,
  ): { G: Float64Array; b: Float64Array; yWy: number; k: number } => {
    const nc = cands.length;
    const k = nc + (withBg ? 1 : 0);
    // all columns in one flat array (the background column last), weighted by sqrt(w)
    const wc = new Float64Array(k * n);
    for (let a = 0; a < nc; a++) {
      const col = basisView(cands[a]!, shift);
      const off = a * n;
      for (let i = 0; i < n; i++) wc[off + i] = rw[i]! * col[i]!;
    }
    if (withBg) wc.set(rw, nc * n);
    const G = new Float64Array(k * k);
    const b = new Float64Array(k);
    gramOfColumns(wc, k, n, ryy, 0, G, b);
    for (let a = 0; a < k; a++) for (let c = 0; c < a; c++) G[c * k + a] = G[a * k + c]!;
    return { G, b, yWy: yWyAll, k };
  };
  // work arrays of subsetScore per subset size (its coef is overwritten by the next call)
  const subsetWork: ({ G: Float64Array; b: Float64Array; coef: Float64Array } | undefined)[] = [];
  /**
   * Score of the subset `idx` of the Gram's columns (the background column added when fitted);
   * `coef` is a work array, valid until the next call.
   */
  const subsetScore = (
    gram: { G: Float64Array; b: Float64Array; yWy: number; k: number },
    idx: number[],
  ): { sse: number; coef: Float64Array } => {
    const k = idx.length + (withBg ? 1 : 0);
    const useAt = (a: number): number => (a < idx.length ? idx[a]! : gram.k - 1);
    let ws = subsetWork[k];
    if (!ws) {
      ws = { G: new Float64Array(k * k), b: new Float64Array(k), coef: new Float64Array(k) };
      subsetWork[k] = ws;
    }
    const { G, b } = ws;
    for (let a = 0; a < k; a++) {
      const ua = useAt(a);
      b[a] = gram.b[ua]!;
      for (let c = 0; c < k; c++) G[a * k + c] = gram.G[ua * gram.k + useAt(c)]!;
    }
    const coef = nnlsGram(G, b, k, ws.coef);
    let sse = gram.yWy;
    for (let a = 0; a < k; a++) {
      sse -= 2 * coef[a]! * b[a]!;
      for (let c = 0; c < k; c++) sse += coef[a]! * G[a * k + c]! * coef[c]!;
    }
    return { sse, coef };
  };

  // 1. the shift: the best single exponential at each trial shift (refined below with all terms)
  let shift = prob.shift;
  if (prob.shiftFree) {
    const expCands = candidatesFor('exp', -1).filter((_, i) => i % 2 === 0);
    // one exponential (and the background): 2 x 2 non-negative least squares per candidate
    let sw = 0;
    let swy = 0;
    let yWy = 0;
    for (let i = 0; i < n; i++) {
      sw += w[i]!;
      swy += w[i]! * yy[i]!;
      yWy += w[i]! * yy[i]! * yy[i]!;
    }
    const G2 = new Float64Array(withBg ? 4 : 1);
    const b2 = new Float64Array(withBg ? 2 : 1);
    const x2 = new Float64Array(withBg ? 2 : 1);
    // the best candidate at the best shift so far; the finer pass scores it and its neighbours only
    let bestCand = 0;
    let lastBest = 0;
    const bestAt = (sh: number, from: number, to: number): number => {
      let best = Infinity;
      for (let ci = from; ci < to; ci++) {
        const c = expCands[ci]!;
        const col = basisView(c, sh);
        let scc = 0;
        let sc = 0;
        let scy = 0;
        for (let i = 0; i < n; i++) {
          const wc = w[i]! * col[i]!;
          scc += wc * col[i]!;
          sc += wc;
          scy += wc * yy[i]!;
        }
        const G = G2;
        const b = b2;
        G[0] = scc;
        b[0] = scy;
        if (withBg) {
          G[1] = G[2] = sc;
          G[3] = sw;
          b[1] = swy;
        }
        const x = nnlsGram(G, b, withBg ? 2 : 1, x2);
        let sse = yWy - 2 * (x[0]! * b[0]! + (withBg ? x[1]! * b[1]! : 0));
        sse += x[0]! * x[0]! * scc;
        if (withBg) sse += 2 * x[0]! * x[1]! * sc + x[1]! * x[1]! * sw;
        if (sse < best) {
          best = sse;
          lastBest = ci;
        }
      }
      return best;
    };
    const range = prob.shiftRange;
    let bestSse = Infinity;
    let center = shift;
    for (const [half, steps] of [
      [range, 7],
      [range / 3, 5],
    ] as const) {
      const c0 = center;
      const fine = half < range;
      const from = fine ? Math.max(0, bestCand - 1) : 0;
      const to = fine ? Math.min(expCands.length, bestCand + 2) : expCands.length;
      for (let i = 0; i < steps; i++) {
        if (fine && i === (steps - 1) / 2) continue; // the centre was scored in the pass before
        const sh = c0 - half + (2 * half * i) / (steps - 1);
        const v = bestAt(sh, from, to);
        if (v < bestSse) {
          bestSse = v;
          center = sh;
          bestCand = lastBest;
        }
      }
    }
    shift = center;
  }

  // 2. lifetimes for the terms, on one Gram matrix of every candidate column
  const terms = prob.terms;
  const nt = terms.length;
  const all: Candidate[] = [];
  const candIdx: number[][] = terms.map((kind, k) => {
    const idx: number[] = [];
    for (const c of candidatesFor(kind, k)) {
      let j = all.findIndex((o) => o.kind === c.kind && o.tau === c.tau && o.extra === c.extra);
      if (j < 0) {
        j = all.length;
        all.push(c);
      }
      idx.push(j);
    }
    return idx;
  });
  let gram = gramOf(all, shift);
  const evalSet = (set: number[]): number => subsetScore(gram, set).sse;
  const chosen: number[] = [];
  const sweep = (times: number): void => {
    for (let pass = 0; pass < times; pass++) {
      let improved = false;
      for (let k = 0; k < nt; k++) {
        let best = evalSet(chosen);
        for (const c of candIdx[k]!) {
          if (chosen.includes(c)) continue;
          const trial = chosen.slice();
          trial[k] = c;
          const v = evalSet(trial);
          if (v < best * (1 - 1e-12)) {
            best = v;
            chosen[k] = c;
            improved = true;
          }
        }
      }
      if (!improved) break;
    }
  };
  if (nt >= 2 && terms[0] === 'exp' && terms[1] === 'exp') {
    let best = Infinity;
    let pair = [candIdx[0]![0]!, candIdx[1]![0]!];
    const free = candIdx[0]!.length > 1 && candIdx[1]!.length > 1;
    for (const a of candIdx[0]!) {
      for (const b of candIdx[1]!) {
        if (a === b || (free && !(all[a]!.tau < all[b]!.tau))) continue;
        const v = evalSet([a, b]);
        if (v < best) {
          best = v;
          pair = [a, b];
        }
      }
    }
    chosen.push(...pair);
  }
  for (let k = chosen.length; k < nt; k++) {
    let best = Infinity;
    let pick = candIdx[k]![0]!;
    for (const c of candIdx[k]!) {
      if (chosen.includes(c)) continue;
      const v = evalSet([...chosen, c]);
      if (v < best) {
        best = v;
        pick = c;
      }
    }
    chosen.push(pick);
  }
  if (nt >= 2) sweep(3);
  // 3. the shift again, now with every term, then the lifetimes once more at that shift
  // (worth its cost for four terms, whose searches more often settle on a poor shift)
  if (prob.shiftFree && nt >= 4) {
    const scoreShift = (sh: number): number => {
      const g = gramOf(
        chosen.map((j) => all[j]!),
        sh,
      );
      return subsetScore(
        g,
        chosen.map((_, i) => i),
      ).sse;
    };
    let bestSse = scoreShift(shift);
    let center = shift;
    for (const half of [prob.shiftRange / 4, prob.shiftRange / 16]) {
      const c0 = center;
      for (const sh of [c0 - half, c0 - half / 2, c0 + half / 2, c0 + half]) {
        const v = scoreShift(sh);
        if (v < bestSse) {
          bestSse = v;
          center = sh;
        }
      }
    }
    if (center !== shift) {
      shift = center;
      gram = gramOf(all, shift);
      sweep(2);
    }
  }
  const coef = Float64Array.from(subsetScore(gram, chosen).coef);
  // 4. assemble; amplitudes the NNLS set to zero get a small share so their lifetime can move
  const names = decayParamNames(terms);
  const p = new Float64Array(names.length);
  let maxA = 0;
  for (let k = 0; k < nt; k++) maxA = Math.max(maxA, coef[k]!);
  if (!(maxA > 0)) {
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, yy[i]!);
    maxA = Math.max(peak, 1);
  }
  let o = 0;
  for (let k = 0; k < nt; k++) {
    const c = all[chosen[k]!]!;
    p[o] = coef[k]! > 1e-3 * maxA ? coef[k]! : 0.02 * maxA;
    p[o + 1] = c.tau;
    if (c.kind !== 'exp') p[o + 2] = c.extra;
    o += c.kind === 'exp' ? 2 : 3;
  }
  p[o] = withBg ? Math.max(coef[nt]!, 0) : fixedBg!;
  p[o + 1] = shift;
  return p;
}
