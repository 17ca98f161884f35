import { describe, expect, it } from 'vitest';
import { quantity } from '../../src/core/quantity.js';
import { CIE1931_START_NM, CIE1931_X, CIE1931_Y, CIE1931_Z } from '../../src/spectra/cie1931.js';
import {
  REC2020_PRIMARIES,
  REC709_PRIMARIES,
  chromaticity,
  clipPolygon,
  convexHull,
  gamutCoverage,
  monochromaticChromaticity,
  polygonArea,
} from '../../src/spectra/chromaticity.js';
import { wavelengthToEnergy } from '../../src/spectra/convert.js';
import { excitonicPeak, stokesShift } from '../../src/spectra/excitonic.js';
import { simulateSpectrum } from '../../src/spectra/simulate.js';
import { createRng } from '../../src/random/rng.js';
import { normal } from '../../src/random/normal.js';

/** Absorption of NCs: a sigmoid continuum edge plus an excitonic Gaussian, in nm, with noise. */
function absorption(excitonNm: number, seed: number, sigma = 0.002) {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: 401 }, (_, i) => 400 + i * 0.5);
  const y = Float64Array.from(x, (l) => {
    const e = 1239.84198 / l;
    const ex = 1239.84198 / excitonNm;
    const continuum = 0.6 / (1 + Math.exp(-(e - (ex + 0.06)) / 0.03));
    const exciton = 0.25 * Math.exp((-4 * Math.LN2 * (e - ex) ** 2) / 0.09 ** 2);
    return continuum + exciton + normal(rng, 0, sigma);
  });
  return { x, y, xUnit: 'nm', unit: 'OD' };
}

describe('excitonic absorption peak from the second derivative (paper 001: 485 nm, 2.56 eV)', () => {
  it('finds the excitonic peak of a simulated CsPbBr3 NC absorption spectrum within its stderr', () => {
    const a = absorption(485, 1);
    const p = excitonicPeak(a, { window: 21, order: 3, range: [450, 520] });
    expect(p.wavelengthNm.stderr).not.toBeNull();
    expect(Math.abs(p.wavelengthNm.value - 485)).toBeLessThan(
      Math.max(3 * p.wavelengthNm.stderr!, 0.5),
    );
    expect(p.energyEv.value).toBeCloseTo(2.56, 2);
    expect(p.secondDerivativeMin).toBeLessThan(0);
    expect(p.secondDerivative.x).toHaveLength(401);
    // repeating with the same seed gives the same stderr
    expect(excitonicPeak(a, { window: 21, order: 3, range: [450, 520] }).position.stderr).toBe(
      p.position.stderr,
    );
  });

  it('works on an energy axis and picks the lowest-energy feature when asked', () => {
    const a = absorption(485, 2);
    const e = wavelengthToEnergy(a, { jacobian: false });
    const p = excitonicPeak(e, { window: 21, order: 3, range: [2.45, 2.7] });
    expect(p.position.unit).toBe('eV');
    expect(Math.abs(p.energyEv.value - 1239.84198 / 485)).toBeLessThan(
      Math.max(3 * p.energyEv.stderr!, 0.003),
    );
    // two excitonic features: the lowest-energy one is at the longer wavelength
    const x = Float64Array.from({ length: 601 }, (_, i) => 380 + i * 0.5);
    const y = Float64Array.from(
      x,
      (l) => 0.3 * Math.exp(-(((l - 420) / 6) ** 2)) + 0.12 * Math.exp(-(((l - 505) / 6) ** 2)),
    );
    const deepest = excitonicPeak({ x, y, xUnit: 'nm' }, { window: 11, uncertaintySamples: 0 });
    const lowest = excitonicPeak(
      { x, y, xUnit: 'nm' },
      { window: 11, select: 'lowest-energy', uncertaintySamples: 0 },
    );
    expect(deepest.wavelengthNm.value).toBeCloseTo(420, 0);
    expect(lowest.wavelengthNm.value).toBeCloseTo(505, 0);
    expect(lowest.position.stderr).toBeNull();
  });

  it('explains when no minimum is found', () => {
    const x = Array.from({ length: 50 }, (_, i) => 400 + i);
    const y = x.map((l) => 0.01 * l);
    expect(() => excitonicPeak({ x, y, xUnit: 'nm' }, { window: 7 })).toThrow(
      /no minimum of the second derivative/,
    );
    expect(() => excitonicPeak({ x, y, xUnit: 'cm-1' })).toThrow(/not nm or eV/);
  });
});

describe('Stokes shift', () => {
  it('paper 001: PL 498 nm vs absorption 485 nm gives 67 meV (2.49 vs 2.56 eV as rounded in the paper: 70 meV)', () => {
    const s = stokesShift({ emission: 498, absorption: 485 });
    expect(s.unit).toBe('meV');
    expect(s.value).toBeCloseTo(66.7, 1);
    expect(s.stderr).toBeNull();
    expect(
      stokesShift({ emission: quantity(2.49, 'eV'), absorption: quantity(2.56, 'eV') }).value,
    ).toBeCloseTo(70, 6);
    // uncoated CsPbBr3 NCs: PL 505 nm (2.45 eV)
    expect(stokesShift({ emission: 505, absorption: 485 }).value).toBeCloseTo(101.2, 1);
  });
  it('propagates uncertainties and rejects unknown units', () => {
    const s = stokesShift({
      emission: quantity(2.49, 'eV', 0.003),
      absorption: quantity(2560, 'meV', 4),
    });
    expect(s.stderr).toBeCloseTo(5, 9);
    expect(() => stokesShift({ emission: quantity(20000, 'cm-1'), absorption: 485 })).toThrow(
      /not nm, eV or meV/,
    );
  });
});

describe('CIE 1931 chromaticity', () => {
  it('the embedded colour-matching functions have the CIE column sums', () => {
    const sum = (a: readonly number[]): number => a.reduce((p, c) => p + c, 0);
    expect(CIE1931_X).toHaveLength(471);
    expect(Math.abs(sum(CIE1931_X) - 106.865469489595)).toBeLessThan(1e-9);
    expect(Math.abs(sum(CIE1931_Y) - 106.856917101172)).toBeLessThan(1e-9);
    expect(Math.abs(sum(CIE1931_Z) - 106.892251278636)).toBeLessThan(1e-9);
    expect(CIE1931_Y[555 - CIE1931_START_NM]).toBe(1);
  });

  it('monochromatic points: 520 nm, 630 nm and 467 nm (Rec. 2020 red and blue), 532 nm (Rec. 2020 green)', () => {
    const g = monochromaticChromaticity(520);
    expect(g.x).toBeCloseTo(0.0743, 4);
    expect(g.y).toBeCloseTo(0.8338, 4);
    const r = monochromaticChromaticity(630);
    expect(r.x).toBeCloseTo(REC2020_PRIMARIES.red.x, 3);
    expect(r.y).toBeCloseTo(REC2020_PRIMARIES.red.y, 3);
    const b = monochromaticChromaticity(467);
    expect(b.x).toBeCloseTo(REC2020_PRIMARIES.blue.x, 3);
    expect(b.y).toBeCloseTo(REC2020_PRIMARIES.blue.y, 3);
    const gg = monochromaticChromaticity(532);
    expect(gg.x).toBeCloseTo(REC2020_PRIMARIES.green.x, 3);
    expect(gg.y).toBeCloseTo(REC2020_PRIMARIES.green.y, 3);
    expect(() => monochromaticChromaticity(900)).toThrow(/outside/);
  });

  it('equal-energy white is (1/3, 1/3); narrow lines approach the spectral locus', () => {
    const x = Float64Array.from({ length: 471 }, (_, i) => 360 + i);
    const white = chromaticity({ x, y: new Float64Array(471).fill(1), xUnit: 'nm' });
    expect(white.x).toBeCloseTo(1 / 3, 4);
    expect(white.y).toBeCloseTo(1 / 3, 4);
    const line = simulateSpectrum({
      x: { start: 600, stop: 660, step: 0.1 },
      xUnit: 'nm',
      peaks: [{ shape: 'gaussian', center: 630, area: 1, fwhm: 0.5 }],
      seed: 1,
    });
    const c = chromaticity(line);
    expect(c.x).toBeCloseTo(0.708, 3);
    expect(c.y).toBeCloseTo(0.292, 3);
    // the same line on an energy axis (with the Jacobian) gives the same colour
    const ce = chromaticity(wavelengthToEnergy(line));
    expect(ce.x).toBeCloseTo(c.x, 5);
    expect(ce.y).toBeCloseTo(c.y, 5);
  });

  it('a broad green PL (515 nm, 20 nm FWHM) lies inside the locus, less saturated than the 515 nm line', () => {
    const pl = simulateSpectrum({
      x: { start: 420, stop: 620, step: 1 },
      xUnit: 'nm',
      peaks: [{ shape: 'gaussian', center: 515, area: 1, fwhm: 20 }],
      seed: 1,
    });
    const c = chromaticity(pl);
    const m = monochromaticChromaticity(515);
    expect(c.y).toBeLessThan(m.y);
    expect(c.x).toBeGreaterThan(m.x);
    expect(c.fractionOutsideTable).toBe(0);
    expect(() => chromaticity({ x: [900, 901, 902], y: [1, 2, 1], xUnit: 'nm' })).toThrow(
      /no intensity within 360-830 nm/,
    );
  });
});

describe('Rec. 2020 gamut coverage (paper 002, Fig. 14)', () => {
  const rec = [REC2020_PRIMARIES.red, REC2020_PRIMARIES.green, REC2020_PRIMARIES.blue];
  const centroid = { x: (0.708 + 0.17 + 0.131) / 3, y: (0.292 + 0.797 + 0.046) / 3 };

  it('the Rec. 2020 triangle covers itself; a triangle shrunk by s about the centroid covers s²', () => {
    expect(gamutCoverage(rec).coverage).toBeCloseTo(1, 12);
    for (const s of [0.5, 0.8, 0.95]) {
      const shrunk = rec.map((p) => ({
        x: centroid.x + s * (p.x - centroid.x),
        y: centroid.y + s * (p.y - centroid.y),
      }));
      const g = gamutCoverage(shrunk);
      expect(g.coverage).toBeCloseTo(s * s, 12);
      expect(g.areaRatio).toBeCloseTo(s * s, 12);
    }
    const big = rec.map((p) => ({
      x: centroid.x + 1.3 * (p.x - centroid.x),
      y: centroid.y + 1.3 * (p.y - centroid.y),
    }));
    expect(gamutCoverage(big).coverage).toBeCloseTo(1, 12);
    expect(gamutCoverage(big).areaRatio).toBeCloseTo(1.69, 12);
  });

  it('a partly outside gamut agrees with a Monte Carlo estimate of the covered area', () => {
    const emitters = [
      { x: 0.69, y: 0.31 },
      { x: 0.2, y: 0.75 },
      { x: 0.155, y: 0.03 },
    ];
    const g = gamutCoverage(emitters);
    const rng = createRng(7);
    const inside = (p: { x: number; y: number }, tri: { x: number; y: number }[]): boolean => {
      let sgn = 0;
      for (let i = 0; i < 3; i++) {
        const a = tri[i],
          b = tri[(i + 1) % 3];
        const c = Math.sign((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x));
        if (c !== 0) {
          if (sgn !== 0 && c !== sgn) return false;
          sgn = c;
        }
      }
      return true;
    };
    let inRec = 0,
      inBoth = 0;
    for (let k = 0; k < 200000; k++) {
      const p = { x: rng.next(), y: rng.next() };
      if (inside(p, rec)) {
        inRec++;
        if (inside(p, emitters)) inBoth++;
      }
    }
    const mc = inBoth / inRec;
    expect(Math.abs(g.coverage - mc)).toBeLessThan(4 * Math.sqrt((mc * (1 - mc)) / inRec));
    expect(g.coverage).toBeLessThan(1);
    expect(g.areaRatio).toBeGreaterThan(g.coverage);
  });

  it('Rec. 709 lies inside Rec. 2020: coverage equals its area ratio; narrow RGB perovskite emitters nearly fill Rec. 2020', () => {
    const s = gamutCoverage([REC709_PRIMARIES.red, REC709_PRIMARIES.green, REC709_PRIMARIES.blue]);
    expect(s.coverage).toBeCloseTo(s.areaRatio, 12);
    expect(s.coverage).toBeGreaterThan(0.45);
    expect(s.coverage).toBeLessThan(0.6);
    // strongly confined QDs (paper 002 Table 2): red 630 nm, blue 467 nm with ~25 nm FWHM; green = Rec. 2020 green
    const led = (center: number) =>
      chromaticity(
        simulateSpectrum({
          x: { start: center - 80, stop: center + 80, step: 0.5 },
          xUnit: 'nm',
          peaks: [{ shape: 'gaussian', center, area: 1, fwhm: 25 }],
          seed: 1,
        }),
      );
    const g = gamutCoverage([led(630), REC2020_PRIMARIES.green, led(467)]);
    expect(g.coverage).toBeGreaterThan(0.85);
    expect(g.coverage).toBeLessThan(1);
    expect(() => gamutCoverage(rec.slice(0, 2))).toThrow(/at least 3 emitters/);
  });

  it('polygon helpers: area sign, hull, clipping', () => {
    const sq = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
      { x: 0, y: 1 },
    ];
    expect(polygonArea(sq)).toBe(1);
    expect(polygonArea([...sq].reverse())).toBe(-1);
    expect(convexHull([...sq, { x: 0.5, y: 0.5 }])).toHaveLength(4);
    const tri = [
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 0, y: 2 },
    ];
    expect(Math.abs(polygonArea(clipPolygon(sq, tri)))).toBeCloseTo(1, 12);
    const shifted = sq.map((p) => ({ x: p.x + 0.5, y: p.y + 0.5 }));
    expect(Math.abs(polygonArea(clipPolygon(shifted, tri)))).toBeCloseTo(0.5, 12); // the triangle's edge x + y = 2 is the square's diagonal;
  });
});
