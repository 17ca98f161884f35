import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { axisValues, coordinateAxis, uniformAxis } from '../../src/data/axis.js';
import { calibrated } from '../../src/data/calibrated.js';
import {
  HC_EV_NM,
  energyToWavelength,
  evToNm,
  nmToEv,
  trapezoid,
  wavelengthToEnergy,
} from '../../src/spectra/convert.js';
import { peakMetrics } from '../../src/spectra/metrics.js';
import { savitzkyGolay } from '../../src/spectra/savitzky-golay.js';
import { simulateSpectrum } from '../../src/spectra/simulate.js';

const gauss = (x: number, c: number, fwhm: number): number =>
  Math.exp((-4 * Math.LN2 * (x - c) ** 2) / fwhm ** 2);

describe('wavelength <-> energy', () => {
  it('converts positions with hc = 1239.84198 eV nm (paper 001: 498 nm = 2.49 eV, 505 nm = 2.45 eV)', () => {
    expect(nmToEv(498)).toBeCloseTo(2.49, 2);
    expect(nmToEv(505)).toBeCloseTo(2.455, 3);
    expect(nmToEv(485)).toBeCloseTo(2.56, 2);
    expect(evToNm(nmToEv(694))).toBeCloseTo(694, 10);
    expect(nmToEv(694)).toBeCloseTo(1.79, 2); // paper 000: 1.79 eV (694 nm)
    expect(() => nmToEv(0)).toThrow(InvalidInputError);
  });

  it('applies the Jacobian so that the integral (photon number) is unchanged', () => {
    const x = Float64Array.from({ length: 801 }, (_, i) => 400 + i * 0.25);
    const y = Float64Array.from(x, (l) => 1000 * gauss(l, 500, 30) + 300 * gauss(l, 560, 10));
    const s = calibrated(y, [uniformAxis('wavelength', 'nm', x.length, 0.25, 400)], {
      unit: 'counts/nm',
    });
    const e = wavelengthToEnergy(s);
    expect(e.axes[0].name).toBe('energy');
    expect(e.axes[0].unit).toBe('eV');
    const ex = axisValues(e.axes[0]);
    expect(ex[0]).toBeCloseTo(HC_EV_NM / 600, 12);
    expect(ex[ex.length - 1]).toBeCloseTo(HC_EV_NM / 400, 12);
    expect(trapezoid(ex, e.data)).toBeCloseTo(trapezoid(x, y), -1);
    expect(Math.abs(trapezoid(ex, e.data) / trapezoid(x, y) - 1)).toBeLessThan(1e-4);
    // point-wise: I(E) = I(λ) λ²/hc
    const i = 200; // wavelength index 600 (reversed)
    expect(e.data[x.length - 1 - i]).toBeCloseTo((y[i] * x[i] * x[i]) / HC_EV_NM, 9);
    // without the Jacobian values are only reordered
    expect(wavelengthToEnergy(s, { jacobian: false }).data[0]).toBe(y[y.length - 1]);
    // and back
    const back = energyToWavelength(e);
    expect(Array.from(axisValues(back.axes[0])).map((v) => Math.round(v * 1e6) / 1e6)).toEqual(
      Array.from(x),
    );
    for (let k = 0; k < x.length; k += 97) expect(back.data[k]).toBeCloseTo(y[k], 9);
  });

  it('rejects unknown units, non-monotonic axes and non-finite values', () => {
    const bad = calibrated(Float64Array.from([1, 2, 3]), [
      uniformAxis('wavenumber', 'cm-1', 3, 1, 1000),
    ]);
    expect(() => wavelengthToEnergy(bad)).toThrow(/not nm, um or Å/);
    expect(() => wavelengthToEnergy({ x: [500, 502, 501], y: [1, 2, 3], xUnit: 'nm' })).toThrow(
      /strictly increasing or decreasing/,
    );
    expect(() => wavelengthToEnergy({ x: [500, 501, 502], y: [1, NaN, 3], xUnit: 'nm' })).toThrow(
      /point 1/,
    );
  });
});

describe('peak position, FWHM and area', () => {
  it('recovers a Gaussian peak exactly on a fine grid', () => {
    const x = Float64Array.from({ length: 1201 }, (_, i) => 440 + i * 0.1);
    const y = Float64Array.from(x, (l) => 50 + 800 * gauss(l, 512.34, 21.7));
    const m = peakMetrics({ x, y, xUnit: 'nm', unit: 'counts' }, { baseline: 50 });
    expect(m.position.value).toBeCloseTo(512.34, 3);
    expect(m.height.value).toBeCloseTo(800, 1);
    expect(m.fwhm!.value).toBeCloseTo(21.7, 3);
    expect(m.area.value).toBeCloseTo(800 * 21.7 * Math.sqrt(Math.PI / (4 * Math.LN2)), 0);
    expect(m.area.unit).toBe('counts·nm');
    expect(m.centroid.value).toBeCloseTo(512.34, 2);
    expect(m.position.stderr).toBeNull();
  });

  it('interpolates half-maximum crossings on a coarse grid and handles descending axes', () => {
    const x = Float64Array.from({ length: 41 }, (_, i) => 2.2 + i * 0.01);
    const y = Float64Array.from(x, (e) => gauss(e, 2.4137, 0.1));
    const m = peakMetrics({ x: Array.from(x).reverse(), y: Array.from(y).reverse(), xUnit: 'eV' });
    expect(m.position.value).toBeCloseTo(2.4137, 3);
    expect(Math.abs(m.fwhm!.value - 0.1)).toBeLessThan(0.002);
  });

  it('uses edge baselines and ranges; reports a missing half-maximum side as null', () => {
    const x = Float64Array.from({ length: 301 }, (_, i) => 400 + i);
    const y = Float64Array.from(x, (l) => 20 + 100 * gauss(l, 500, 20) + 60 * gauss(l, 640, 15));
    const m = peakMetrics({ x, y }, { baseline: 'edges', range: [450, 560] });
    expect(m.position.value).toBeCloseTo(500, 1);
    const cut = peakMetrics({ x, y }, { range: [690, 700], baseline: 'none' });
    expect(cut.fwhm).toBeNull();
    expect(() => peakMetrics({ x, y }, { range: [1000, 1100] })).toThrow(/holds 0 points/);
    expect(() => peakMetrics({ x: [1, 2, 3], y: [-1, -2, -1] })).toThrow(/no positive peak/);
  });
});

describe('Savitzky-Golay', () => {
  it('reproduces polynomials of its order exactly, with derivatives, on uniform and non-uniform grids', () => {
    const x = Float64Array.from({ length: 60 }, (_, i) => 1 + i * 0.1 + 0.002 * i * i);
    const y = Float64Array.from(x, (t) => 2 - t + 0.5 * t * t - 0.1 * t ** 3);
    const s = savitzkyGolay({ x, y }, { window: 9, order: 3 });
    const d1 = savitzkyGolay({ x, y }, { window: 9, order: 3, derivative: 1 });
    const d2 = savitzkyGolay({ x, y }, { window: 9, order: 3, derivative: 2 });
    for (let i = 0; i < x.length; i++) {
      expect(s.y[i]).toBeCloseTo(y[i], 9);
      expect(d1.y[i]).toBeCloseTo(-1 + x[i] - 0.3 * x[i] ** 2, 8);
      expect(d2.y[i]).toBeCloseTo(1 - 0.6 * x[i], 7);
    }
  });

  it('equals the classic 5-point quadratic smoothing weights (-3, 12, 17, 12, -3)/35', () => {
    const y = [0, 0, 0, 0, 35, 0, 0, 0, 0];
    const s = savitzkyGolay({ x: y.map((_, i) => i), y }, { window: 5, order: 2 });
    expect(Array.from(s.y.slice(2, 7)).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([
      -3, 12, 17, 12, -3,
    ]);
  });

  it('rejects bad windows and orders', () => {
    const sp = { x: [1, 2, 3, 4, 5], y: [1, 2, 3, 4, 5] };
    expect(() => savitzkyGolay(sp, { window: 4 })).toThrow(/odd integer/);
    expect(() => savitzkyGolay(sp, { window: 5, order: 5 })).toThrow(/order/);
    expect(() => savitzkyGolay(sp, { window: 5, order: 2, derivative: 3 })).toThrow(/derivative/);
    expect(() => savitzkyGolay(sp, { window: 7, order: 2 })).toThrow(/fewer than the window/);
  });
});

describe('spectrum simulator', () => {
  const opts = {
    x: { start: 480, stop: 560, step: 0.5 },
    xUnit: 'nm',
    peaks: [{ shape: 'gaussian' as const, center: 515, area: 5000, fwhm: 20 }],
    baseline: [10],
    noise: { type: 'poisson' as const },
    seed: 11,
  };
  it('is reproducible by seed and keeps the noise-free model', () => {
    const a = simulateSpectrum(opts);
    const b = simulateSpectrum(opts);
    const c = simulateSpectrum({ ...opts, seed: 12 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const model = a.metadata.model as number[];
    expect(model[70]).toBeCloseTo(10 + (5000 / 20) * 2 * Math.sqrt(Math.LN2 / Math.PI), 9);
    for (const v of a.data) expect(Number.isInteger(v)).toBe(true);
    expect(a.axes[0]).toEqual(coordinateAxis('wavelength', 'nm', axisValues(a.axes[0])));
  });
  it('rejects incomplete peaks and negative Poisson means', () => {
    expect(() =>
      simulateSpectrum({
        ...opts,
        peaks: [{ shape: 'voigt', center: 515, area: 1, fwhmGaussian: 3 }],
      }),
    ).toThrow(/fwhmLorentzian/);
    expect(() => simulateSpectrum({ ...opts, baseline: [-100] })).toThrow(/non-negative model/);
  });
});
