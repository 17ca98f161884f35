/**
 * Bin-integrated decay kernels and their convolution with the instrument response (IRF).
 *
 * TCSPC counts are integrals over time bins, and the measured IRF is itself a histogram. The
 * kernels here integrate the decay exactly over each bin, with the IRF taken as uniform within
 * each of its bins: an IRF photon in bin j and the decay it starts give, in bin j + m,
 *
 *   K(m) = integral h(x) Lambda(x/Delta - m) dx      (Lambda the unit triangle, Delta the bin width)
 *
 * For h = exp(-x/tau) this is closed form: K(0) = tau - (tau^2/Delta)(1 - q) and
 * K(m >= 1) = (tau^2/Delta)(1 - q)^2 q^(m-1), q = exp(-Delta/tau), and sum_m K(m) = tau. The
 * geometric form turns the convolution into a first-order recursion (IIR filter), O(n) per
 * component, with the derivative with respect to tau from a second recursion. Other kernels
 * (stretched exponential, power law) are integrated by Gauss-Legendre quadrature and convolved by
 * FFT.
 *
 * Point-sampling h at the bin starts instead (K(m) = Delta h(m Delta)) misplaces each bin's weight
 * by half a bin and gives the first bin a full bin of weight: lifetimes fitted with such kernels
 * are biased (see the tests).
 *
 * @module
 */
import { exGaussian, normalCdf, normalPdf } from './special.js';

/** Coefficients of the exponential bin kernel and their derivatives with respect to tau. */
export interface ExpKernelCoefficients {
  q: number;
  /** d q / d tau. */
  dq: number;
  /** K(0). */
  k0: number;
  dk0: number;
  /** c in K(m >= 1) = c q^(m-1). */
  c: number;
  dc: number;
}

/**
 * Coefficients of the bin-integrated exponential kernel for lifetime `tau` and bin width `delta`
 * (same unit), with their tau derivatives, accurate also for tau much longer or shorter than a bin.
 *
 * @example
 * const k = expKernelCoefficients(2, 0.05);
 * k.k0 + k.c / (1 - k.q); // = 2 (the kernel's sum is tau)
 */
export function expKernelCoefficients(
  tau: number,
  delta: number,
  out?: ExpKernelCoefficients,
): ExpKernelCoefficients {
  const r = delta / tau;
  const q = Math.exp(-r);
  const omq = -Math.expm1(-r); // 1 - q
  // phi(r) = 1 - (1 - e^-r)/r;  K0 = tau phi;  dK0/dtau = phi - r phi'(r)
  let phi: number;
  let dk0: number;
  if (r < 0.05) {
    // phi = sum_{n>=1} (-1)^(n+1) r^n/(n+1)!;  phi - r phi' = sum_n (1-n) c_n r^n
    let term = 1; // r^n / (n+1)! built up
    let sPhi = 0;
    let sD = 0;
    let sign = 1;
    for (let n = 1; n <= 10; n++) {
      term *= r / (n + 1);
      sPhi += sign * term;
      sD += sign * (1 - n) * term;
      sign = -sign;
    }
    phi = sPhi;
    dk0 = sD;
  } else {
    phi = 1 - omq / r;
    // phi'(r) = (1 - q - r q)/r^2
    const dphi = (omq - r * q) / (r * r);
    dk0 = phi - r * dphi;
  }
  const k0 = tau * phi;
  // psi(r) = (1-q)^2 / r;  c = tau psi;  dc/dtau = psi - r psi'(r);  psi' = (1-q)(2 q r - (1-q))/r^2
  const psi = (omq * omq) / r;
  const dpsi = (omq * (2 * q * r - omq)) / (r * r);
  const c = tau * psi;
  const dc = psi - r * dpsi;
  const dq = (q * r) / tau;
  const o = out ?? { q: 0, dq: 0, k0: 0, dk0: 0, c: 0, dc: 0 };
  o.q = q;
  o.dq = dq;
  o.k0 = k0;
  o.dk0 = dk0;
  o.c = c;
  o.dc = dc;
  return o;
}

/** Reused by `convolveExp` (read at once, so sharing it is safe): no allocation per call. */
const KERNEL_SCRATCH: ExpKernelCoefficients = { q: 0, dq: 0, k0: 0, dk0: 0, c: 0, dc: 0 };

/**
 * Convolves an IRF histogram `irf` (bins 0..n-1, any normalisation) with the bin-integrated
 * exponential kernel of lifetime `tau` by the IIR recursion, writing `out[i]` (i < n) in units of
 * (irf counts) x (bin widths): for an IRF of unit sum, out is the expected counts per bin of a
 * decay with amplitude 1 count per bin at its start. Optionally also the tau derivative
 * (`dTau`), and the convolution of a second input (`dIrf`, e.g. the IRF's derivative with
 * respect to a shift) into `dShift`.
 *
 * `periodBins` > 0 adds the decays started by all previous excitation pulses (period in bins,
 * not necessarily an integer, at least n): the IRF repeats every `periodBins`.
 *
 * `from` > 0 starts at that bin (bins before it are not written): only valid when `irf` (and
 * `dIrf`) are 0 before it and `periodBins` is 0, so that the recursion's state there is 0.
 *
 * `state`, when given, receives the recursion's state after bin n - 1: the weighted IRF sum s,
 * its derivative with respect to q = exp(-delta / tau), and the same sum for `dIrf`. Past the
 * IRF's last non-zero bin the output continues as the pure exponential out[n + m] = c s q^m / delta
 * (see `expKernelCoefficients`), which grouped models sum in closed form.
 *
 * @example
 * const irf = new Float64Array(100); irf[10] = 1;
 * const y = new Float64Array(100);
 * convolveExp(irf, 2, 0.05, 0, y); // y[10 + m] ~ exp(-m * 0.05 / 2) for m >= 1
 */
export function convolveExp(
  irf: Float64Array,
  tau: number,
  delta: number,
  periodBins: number,
  out: Float64Array,
  dTau?: Float64Array | null,
  dIrf?: Float64Array | null,
  dShift?: Float64Array | null,
  n: number = out.length,
  state?: Float64Array | null,
  from = 0,
): void {
  if (from > 0 && periodBins > 0)
    throw new RangeError(
      'convolveExp: a start bin needs periodBins = 0 (the state before it is 0)',
    );
  const k = expKernelCoefficients(tau, delta, KERNEL_SCRATCH);
  const { q, k0, c, dk0, dc, dq } = k;
  const inv = 1 / delta;
  let s = 0; // sum_{j<i} irf_j q^(i-1-j)
  let t = 0; // d s / d q
  let u = 0; // same for dIrf
  if (periodBins > 0) {
    // previous pulses: s_0 = sum_j irf_j q^(N-1-j) / (1 - Q), Q = q^N
    const N = periodBins;
    const r = delta / tau;
    const Q = Math.exp(-N * r);
    const omQ = -Math.expm1(-N * r);
    let R = 0;
    let dR = 0;
    let Ru = 0;
    // w_j = q^(N-1-j), from j = n-1 down
    let w = Math.exp(-(N - n) * r); // q^(N-1-(n-1))
    for (let j = n - 1; j >= 0; j--) {
      const xj = irf[j]!;
      R += xj * w;
      // d/dq q^(N-1-j) = (N-1-j) q^(N-2-j)
      if (dTau) dR += q > 0 ? (xj * (N - 1 - j) * w) / q : 0;
      if (dIrf) Ru += dIrf[j]! * w;
      w *= q;
    }
    s = R / omQ;
    if (dTau) t = dR / omQ + (R * N * (q > 0 ? Q / q : 0)) / (omQ * omQ);
    if (dIrf) u = Ru / omQ;
  }
  if (dTau && dIrf && dShift) {
    for (let i = from; i < n; i++) {
      const xi = irf[i]!;
      const di = dIrf[i]!;
      out[i] = (k0 * xi + c * s) * inv;
      dTau[i] = (dk0 * xi + dc * s + c * t * dq) * inv;
      dShift[i] = (k0 * di + c * u) * inv;
      t = s + q * t;
      s = q * s + xi;
      u = q * u + di;
    }
  } else if (dTau) {
    for (let i = from; i < n; i++) {
      const xi = irf[i]!;
      out[i] = (k0 * xi + c * s) * inv;
      dTau[i] = (dk0 * xi + dc * s + c * t * dq) * inv;
      t = s + q * t;
      s = q * s + xi;
    }
  } else {
    // two interleaved recursions (s at even and at odd offsets, each advanced two bins by q^2):
    // the loop is not held up by one chain of dependent multiply-adds
    const q2 = q * q;
    let i = from;
    if (n - from >= 4) {
      let sa = s; // s_i
      let sb = q * s + irf[i]!; // s_(i+1)
      for (; i + 2 < n; i += 2) {
        const x0 = irf[i]!;
        const x1 = irf[i + 1]!;
        out[i] = (k0 * x0 + c * sa) * inv;
        out[i + 1] = (k0 * x1 + c * sb) * inv;
        sa = q2 * sa + (q * x0 + x1); // s_(i+2)
        sb = q2 * sb + (q * x1 + irf[i + 2]!); // s_(i+3)
      }
      s = sa;
    }
    for (; i < n; i++) {
      const xi = irf[i]!;
      out[i] = (k0 * xi + c * s) * inv;
      s = q * s + xi;
    }
    if (dIrf && dShift) {
      for (let i = from; i < n; i++) {
        const di = dIrf[i]!;
        dShift[i] = (k0 * di + c * u) * inv;
        u = q * u + di;
      }
    }
  }
  if (state) {
    state[0] = s;
    state[1] = t;
    state[2] = u;
  }
}

/**
 * Exponential decay (lifetime `tau`, amplitude 1 count per bin at its start) convolved with a
 * Gaussian IRF centred at `t0` with standard deviation `sigma`, integrated exactly over the bins
 * [edges[i], edges[i+1]) and divided by the bin width: expected counts per bin. Optionally the
 * derivatives with respect to tau and t0. `periodNs` > 0 adds all previous pulses.
 *
 * Uses the antiderivative C(t) = tau [Phi(u) - E(t)] of the ex-Gaussian E (u = (t - t0)/sigma).
 *
 * @example
 * const edges = Float64Array.from({ length: 101 }, (_, i) => i * 0.05);
 * const y = new Float64Array(100);
 * gaussianExp(edges, 2, 1, 0.1, 0, y);
 */
export function gaussianExp(
  edges: Float64Array,
  tau: number,
  t0: number,
  sigma: number,
  periodNs: number,
  out: Float64Array,
  dTau?: Float64Array | null,
  dT0?: Float64Array | null,
  n: number = out.length,
): void {
  const s = sigma / tau;
  const Q = periodNs > 0 ? Math.exp(-periodNs / tau) : 0;
  const omQ = periodNs > 0 ? -Math.expm1(-periodNs / tau) : 1;
  let prevC = 0;
  let prevDC = 0;
  let prevE = 0;
  for (let e = 0; e <= n; e++) {
    const t = edges[e]!;
    const u = (t - t0) / sigma;
    const E = exGaussian(u, s);
    const Phi = normalCdf(u);
    let C = tau * (Phi - E);
    let Et0 = E; // d C / d t = E, so d C / d t0 = -E
    let dC = 0;
    if (dTau) dC = Phi - E + s * ((s - u) * E - normalPdf(u));
    if (periodNs > 0) {
      // previous pulses, long after their IRF: E_p = exp(s^2/2 - (t - t0 + T)/tau) / (1 - Q)
      const L = 0.5 * s * s - (t - t0 + periodNs) / tau;
      const Ep = Math.exp(L) / omQ;
      C -= tau * Ep;
      Et0 += Ep;
      if (dTau) {
        const dL =
          (-s * s) / tau + (t - t0 + periodNs) / (tau * tau) + (Q * periodNs) / (tau * tau * omQ);
        dC += -Ep - tau * Ep * dL;
      }
    }
    if (e > 0) {
      const w = 1 / (t - edges[e - 1]!);
      out[e - 1] = (C - prevC) * w;
      if (dTau) dTau[e - 1] = (dC - prevDC) * w;
      if (dT0) dT0[e - 1] = -(Et0 - prevE) * w;
    }
    prevC = C;
    prevDC = dC;
    prevE = Et0;
  }
}

// ---------------------------------------------------------------------------------------------
// General kernels by quadrature
// ---------------------------------------------------------------------------------------------

/** 8-point Gauss-Legendre nodes and weights on [0, 1]. */
const GL8_X = [
  0.019855071751231856, 0.10166676129318664, 0.2372337950418355, 0.4082826787521751,
  0.5917173212478249, 0.7627662049581645, 0.8983332387068134, 0.9801449282487681,
];
const GL8_W = [
  0.05061426814518813, 0.11119051722668724, 0.15685332293894363, 0.181341891689181,
  0.181341891689181, 0.15685332293894363, 0.11119051722668724, 0.05061426814518813,
];
/** 3-point Gauss-Legendre on [0, 1]. */
const GL3_X = [0.1127016653792583, 0.5, 0.8872983346207417];
const GL3_W = [0.2777777777777778, 0.4444444444444444, 0.2777777777777778];

/**
 * A decay shape h(x) (x >= 0 in ns, h(0) = 1) with derivatives with respect to its two shape
 * parameters, written into `d` as [h, dh/dp1, dh/dp2].
 */
export type ShapeFunction = (x: number, p1: number, p2: number, d: Float64Array) => void;

/** Stretched exponential exp(-(x/tau)^beta); parameters (tau, beta). */
export const stretchedShape: ShapeFunction = (x, tau, beta, d) => {
  if (x <= 0) {
    d[0] = 1;
    d[1] = 0;
    d[2] = 0;
    return;
  }
  const z = x / tau;
  const lz = Math.log(z);
  const zb = Math.exp(beta * lz);
  const h = Math.exp(-zb);
  d[0] = h;
  d[1] = (h * beta * zb) / tau;
  d[2] = -h * zb * lz;
};

/** Power law (1 + x/t0)^-alpha; parameters (t0, alpha). */
export const powerShape: ShapeFunction = (x, t0, alpha, d) => {
  const l = Math.log1p(x / t0);
  const h = Math.exp(-alpha * l);
  d[0] = h;
  d[1] = (h * alpha * x) / (t0 * (t0 + x));
  d[2] = -h * l;
};

/**
 * The bin-integrated kernel K(m) = integral h(x) Lambda(x/Delta - m) dx of a general decay shape
 * for m = 0..n-1, with its derivatives with respect to the two shape parameters.
 *
 * @example
 * const K = new Float64Array(200), K1 = new Float64Array(200), K2 = new Float64Array(200);
 * shapeKernel(stretchedShape, 2, 0.7, 0.05, K, K1, K2);
 */
export function shapeKernel(
  shape: ShapeFunction,
  p1: number,
  p2: number,
  delta: number,
  K: Float64Array,
  dK1: Float64Array | null,
  dK2: Float64Array | null,
  n: number = K.length,
): void {
  const d = new Float64Array(3);
  // integral over [a, a + delta] of h(x) * weight(x), weight linear from w0 (at a) to w1 (at a + delta)
  const piece = (a: number, w0: number, w1: number, fine: boolean, acc: Float64Array): void => {
    const xs = fine ? GL8_X : GL3_X;
    const ws = fine ? GL8_W : GL3_W;
    for (let k = 0; k < xs.length; k++) {
      const v = xs[k]!;
      shape(a + v * delta, p1, p2, d);
      const w = ws[k]! * delta * (w0 + (w1 - w0) * v);
      acc[0]! += w * d[0]!;
      acc[1]! += w * d[1]!;
      acc[2]! += w * d[2]!;
    }
  };
  const acc = new Float64Array(3);
  for (let m = 0; m < n; m++) {
    acc.fill(0);
    const fine = m < 3;
    if (m >= 1) piece((m - 1) * delta, 0, 1, fine, acc);
    piece(m * delta, 1, 0, fine, acc);
    K[m] = acc[0]!;
    if (dK1) dK1[m] = acc[1]!;
    if (dK2) dK2[m] = acc[2]!;
  }
}

// ---------------------------------------------------------------------------------------------
// FFT convolution
// ---------------------------------------------------------------------------------------------

/** In-place iterative radix-2 complex FFT (sign -1 forward, +1 inverse without the 1/N). */
function fft(re: Float64Array, im: Float64Array, sign: number): void {
  const N = re.length;
  for (let i = 1, j = 0; i < N; i++) {
    let bit = N >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  for (let len = 2; len <= N; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < N; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a]! += xr;
        im[a]! += xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

/**
 * Linear convolution truncated to the first n points, out[i] = sum_{j<=i} a[j] b[i-j], by FFT.
 * Reuses the transform of `a` across calls through a {@link Convolver}.
 *
 * @example
 * const cv = new Convolver(1000);
 * cv.setSignal(irf);
 * cv.convolve(kernel, out);
 */
export class Convolver {
  readonly N: number;
  private readonly ar: Float64Array;
  private readonly ai: Float64Array;
  private readonly br: Float64Array;
  private readonly bi: Float64Array;
  constructor(readonly n: number) {
    let N = 1;
    while (N < 2 * n) N <<= 1;
    this.N = N;
    this.ar = new Float64Array(N);
    this.ai = new Float64Array(N);
    this.br = new Float64Array(N);
    this.bi = new Float64Array(N);
  }
  /** Sets the signal (first n values of `a`). */
  setSignal(a: Float64Array): void {
    this.ar.fill(0);
    this.ai.fill(0);
    this.ar.set(a.subarray(0, this.n));
    fft(this.ar, this.ai, -1);
  }
  /** out[i] = sum_j signal[j] kernel[i - j], i < n, times `scale`. */
  convolve(kernel: Float64Array, out: Float64Array, scale = 1): void {
    const { N, n, br, bi, ar, ai } = this;
    br.fill(0);
    bi.fill(0);
    br.set(kernel.subarray(0, n));
    fft(br, bi, -1);
    for (let k = 0; k < N; k++) {
      const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
      const i = ar[k]! * bi[k]! + ai[k]! * br[k]!;
      br[k] = r;
      bi[k] = i;
    }
    fft(br, bi, 1);
    const f = scale / N;
    for (let i = 0; i < n; i++) out[i] = br[i]! * f;
  }
}

/**
 * A Gaussian IRF as a histogram of unit sum on the bins [edges[i], edges[i+1]), centred at t0 with
 * standard deviation sigma, and its derivative with respect to t0.
 *
 * @example
 * const h = new Float64Array(100), dh = new Float64Array(100);
 * gaussianHistogram(edges, 1.0, 0.05, h, dh);
 */
export function gaussianHistogram(
  edges: Float64Array,
  t0: number,
  sigma: number,
  out: Float64Array,
  dT0: Float64Array | null,
  n: number = out.length,
): void {
  let prevP = normalCdf((edges[0]! - t0) / sigma);
  let prevG = normalPdf((edges[0]! - t0) / sigma);
  for (let i = 0; i < n; i++) {
    const u = (edges[i + 1]! - t0) / sigma;
    const P = normalCdf(u);
    const g = normalPdf(u);
    out[i] = P - prevP;
    if (dT0) dT0[i] = -(g - prevG) / sigma;
    prevP = P;
    prevG = g;
  }
}
