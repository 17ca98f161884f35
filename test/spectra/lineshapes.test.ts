import { describe, expect, it } from 'vitest';
import { faddeeva, voigtFwhm, voigtProfile } from '../../src/spectra/faddeeva.js';
import { PEAK_SHAPES, SHAPE_PARAMS, lineShape } from '../../src/spectra/lineshapes.js';
import { peakModel } from '../../src/spectra/model.js';

/**
 * Reference values of w(z) from scipy.special.wofz 1.17 (S.G. Johnson's Faddeeva package, an
 * independent algorithm: continued fractions / Taylor expansions / Algorithm 916).
 */
const WOFZ: [number, number, number, number][] = [
  [0, 1, 0.427583576155807, 0],
  [1, 1, 0.30474420525691254, 0.2082189382028316],
  [5, 0.001, 2.4080463967103584e-5, 0.11524595667450457],
  [-3, 2, 0.092710766426443436, -0.12831696222826169],
  [30, 1e-6, 6.2792502413109266e-10, 0.018816784868660702],
  [0.5, 1e-6, 0.77880013361779987, 0.47892439410106413],
  [2, 0, 0.018315638888734179, 0.34002621706606623],
  [100, 10, 0.00055868543353099025, 0.0055863011014061978],
  [-7.5, 0.3, 0.0030877814871104179, -0.07578559870214388],
];

/** Voigt profile by direct numerical convolution of a Gaussian and a Lorentzian (independent of w(z)). */
function voigtByQuadrature(dx: number, sigma: number, gamma: number): number {
  // substitute t = dx - u = gamma tan(θ): Lorentzian weight becomes dθ/π; integrate the Gaussian over θ
  const n = 20000;
  const h = Math.PI / n;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const th = -Math.PI / 2 + (k + 0.5) * h;
    const u = dx - gamma * Math.tan(th);
    s += Math.exp((-u * u) / (2 * sigma * sigma));
  }
  return (s * h) / Math.PI / (sigma * Math.sqrt(2 * Math.PI));
}

describe('Faddeeva function and Voigt profile', () => {
  it('matches independent reference values of w(z) to 1e-12 (complex) and 1e-7 relative in the far wings', () => {
    for (const [x, y, re, im] of WOFZ) {
      const [wr, wi] = faddeeva(x, y);
      const scale = Math.hypot(re, im);
      expect(Math.hypot(wr - re, wi - im) / scale).toBeLessThan(1e-12);
      expect(Math.abs(wr - re) / Math.abs(re)).toBeLessThan(1e-7);
    }
  });

  it('satisfies w(-conj z) = conj w(z) and the lower half plane relation', () => {
    const [a, b] = faddeeva(1.3, 0.7);
    const [c, d] = faddeeva(-1.3, 0.7);
    expect(c).toBeCloseTo(a, 14);
    expect(d).toBeCloseTo(-b, 14);
    // w(z) + w(-z) = 2 exp(-z^2)
    const [e, f] = faddeeva(0.4, -0.3);
    const [g, h] = faddeeva(-0.4, 0.3);
    const er = Math.exp(0.3 * 0.3 - 0.4 * 0.4);
    expect(e + g).toBeCloseTo(2 * er * Math.cos(2 * 0.4 * 0.3), 12);
    expect(f + h).toBeCloseTo(2 * er * Math.sin(2 * 0.4 * 0.3), 12);
  });

  it('gives the Voigt convolution computed by quadrature (relative 1e-6) and unit area', () => {
    for (const [dx, s, g] of [
      [0, 1, 0.5],
      [2, 1, 0.5],
      [-5, 0.3, 1.2],
      [10, 1, 0.05],
      [0.3, 2, 0.001],
    ]) {
      const ref = voigtByQuadrature(dx, s, g);
      expect(Math.abs(voigtProfile(dx, s, g) - ref) / ref).toBeLessThan(1e-6);
    }
    // pure limits
    expect(voigtProfile(0.7, 1, 0)).toBeCloseTo(Math.exp(-0.245) / Math.sqrt(2 * Math.PI), 12);
    expect(voigtProfile(0.7, 0, 0.4)).toBeCloseTo(0.4 / Math.PI / (0.49 + 0.16), 14);
    let area = 0;
    for (let x = -2000; x <= 2000; x += 0.01) area += voigtProfile(x, 0.8, 0.3) * 0.01;
    expect(area).toBeCloseTo(1 - (2 * 0.3) / (Math.PI * 2000), 4);
  });

  it('Olivero-Longbothum FWHM agrees with the numerical half width within 0.03 %', () => {
    for (const [fg, fl] of [
      [1, 0],
      [0, 1],
      [1, 1],
      [0.3, 2],
    ]) {
      const s = fg / (2 * Math.sqrt(2 * Math.LN2));
      const peak = voigtProfile(0, s, fl / 2);
      let lo = 0,
        hi = 10;
      for (let k = 0; k < 100; k++) {
        const m = (lo + hi) / 2;
        if (voigtProfile(m, s, fl / 2) > peak / 2) lo = m;
        else hi = m;
      }
      expect(Math.abs(voigtFwhm(fg, fl) - 2 * lo) / (2 * lo)).toBeLessThan(3e-4);
    }
  });
});

describe('line shapes', () => {
  const params: Record<string, number[]> = {
    gaussian: [1.2, 3, 0.8],
    lorentzian: [1.2, 3, 0.8],
    voigt: [1.2, 3, 0.6, 0.3],
    'pseudo-voigt': [1.2, 3, 0.8, 0.35],
    'gl-product': [1.2, 3, 0.8],
  };

  it('each shape integrates to its area and peaks at its centre with the stated FWHM', () => {
    for (const shape of PEAK_SHAPES) {
      const ls = lineShape(shape);
      const p = params[shape];
      let area = 0;
      const h = 0.0005;
      for (let x = -400; x <= 400; x += h) area += ls.value(x, p, 0) * h;
      // Lorentzian-like tails beyond +-400 hold ~ (2/π) γ_L/400 of the area
      const tail = shape === 'gaussian' ? 0 : 0.003;
      expect(Math.abs(area - p[1]) / p[1]).toBeLessThan(tail + 1e-6);
      expect(ls.height(p, 0)).toBeCloseTo(ls.value(p[0], p, 0), 12);
      const fw = ls.fwhm(p, 0);
      expect(ls.value(p[0] + fw / 2, p, 0) / ls.height(p, 0)).toBeCloseTo(
        0.5,
        shape === 'voigt' ? 3 : 9,
      );
      expect(ls.value(p[0] - fw / 2, p, 0) / ls.height(p, 0)).toBeCloseTo(
        0.5,
        shape === 'voigt' ? 3 : 9,
      );
    }
  });

  it('analytic gradients equal central finite differences', () => {
    for (const shape of PEAK_SHAPES) {
      const ls = lineShape(shape, { glMix: 0.45 });
      const p = params[shape];
      const g = new Float64Array(p.length);
      for (const x of [-1, 0.9, 1.2, 1.5, 4]) {
        ls.valueAndGradient(x, p, 0, g, 0);
        for (let k = 0; k < p.length; k++) {
          const h = 1e-6 * Math.max(1, Math.abs(p[k]));
          const up = [...p];
          const dn = [...p];
          up[k] += h;
          dn[k] -= h;
          const fd = (ls.value(x, up, 0) - ls.value(x, dn, 0)) / (2 * h);
          expect(Math.abs(g[k] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
      expect(SHAPE_PARAMS[shape]).toHaveLength(p.length);
    }
  });

  it('GL product reduces to Gaussian (m = 0) and Lorentzian (m = 1)', () => {
    const g0 = lineShape('gl-product', { glMix: 0 });
    const g1 = lineShape('gl-product', { glMix: 1 });
    const ga = lineShape('gaussian');
    const lo = lineShape('lorentzian');
    for (const x of [0, 0.3, 1, 2.5]) {
      expect(g0.value(x, [0.2, 2, 0.9], 0)).toBeCloseTo(ga.value(x, [0.2, 2, 0.9], 0), 9);
      expect(g1.value(x, [0.2, 2, 0.9], 0)).toBeCloseTo(lo.value(x, [0.2, 2, 0.9], 0), 9);
    }
    expect(() => lineShape('gl-product', { glMix: 1.5 })).toThrow(/between 0 and 1/);
  });

  it('the multi-peak model Jacobian matches finite differences, baseline included', () => {
    const m = peakModel({
      shape: 'voigt',
      nPeaks: 2,
      baseline: { polynomial: 2 },
      xRef: 500,
      xScale: 50,
    });
    expect(m.params).toEqual([
      'p1_center',
      'p1_area',
      'p1_fwhmGaussian',
      'p1_fwhmLorentzian',
      'p2_center',
      'p2_area',
      'p2_fwhmGaussian',
      'p2_fwhmLorentzian',
      'bg_c0',
      'bg_c1',
      'bg_c2',
    ]);
    const p = Float64Array.from([490, 100, 10, 4, 520, 50, 12, 2, 5, 1, -0.5]);
    const x = Float64Array.from([450, 480, 495, 510, 530, 560]);
    const jac = new Float64Array(x.length * p.length);
    m.jacobian!(p, x, jac);
    const f0 = new Float64Array(x.length);
    const f1 = new Float64Array(x.length);
    for (let k = 0; k < p.length; k++) {
      const h = 1e-6 * Math.max(1, Math.abs(p[k]));
      const up = Float64Array.from(p);
      const dn = Float64Array.from(p);
      up[k] += h;
      dn[k] -= h;
      m.evaluate(up, x, f0);
      m.evaluate(dn, x, f1);
      for (let i = 0; i < x.length; i++) {
        const fd = (f0[i] - f1[i]) / (2 * h);
        expect(Math.abs(jac[i * p.length + k] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
    expect(() => peakModel({ shape: 'gaussian', nPeaks: 0, baseline: 'none' })).toThrow(
      /at least one peak/,
    );
    expect(() => peakModel({ shape: 'gaussian', nPeaks: 1, baseline: { polynomial: 12 } })).toThrow(
      /0\.\.10/,
    );
  });
});
