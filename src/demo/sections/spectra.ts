/**
 * Demo section "Steady-state spectra": a simulated CsPbBr3@SiO2 NC photoluminescence spectrum
 * (Gaussian in photon energy at 2.49 eV with FWHM 0.14 eV, as paper 001 reports) measured on a
 * wavelength axis with shot noise, fitted on an energy axis after the λ²/hc Jacobian; the
 * excitonic absorption peak from the second derivative of a simulated absorption spectrum
 * (485 nm in paper 001) and the Stokes shift; the CIE 1931 chromaticity of the PL and the
 * Rec. 2020 coverage of red / green / blue QD emitters (paper 002, Fig. 14 and Table 2).
 */
import { coordinateAxis } from '../../data/axis.js';
import { calibrated } from '../../data/calibrated.js';
import { formatQuantity } from '../../core/quantity.js';
import { normal } from '../../random/normal.js';
import { poisson } from '../../random/poisson.js';
import { createRng } from '../../random/rng.js';
import type { ReportBlock } from '../../report/types.js';
import { REC2020_PRIMARIES, chromaticity, gamutCoverage } from '../../spectra/chromaticity.js';
import { energyToWavelength, HC_EV_NM } from '../../spectra/convert.js';
import { excitonicPeak, stokesShift } from '../../spectra/excitonic.js';
import { chromaticityFigure, peakFitFigure } from '../../spectra/figures.js';
import { fitPeaks, peakFitReport } from '../../spectra/fit.js';
import { simulateSpectrum } from '../../spectra/simulate.js';
import type { DemoSection } from '../types.js';

const PL = { centerEv: 2.49, fwhmEv: 0.14, peakCounts: 4000, background: 20 } as const;
const EXCITON_NM = 485;

function zText(value: number, stderr: number | null, truth: number): string {
  return stderr && stderr > 0 ? ((value - truth) / stderr).toFixed(2) : '—';
}

/** The "Steady-state spectra" demo section. */
export const spectraSection: DemoSection = {
  id: 'spectra',
  title: 'Steady-state spectra: PL fit, excitonic absorption, Stokes shift and colour',
  async run(ctx) {
    // 1. PL: Gaussian in energy, recorded per nm (Jacobian hc/λ²), Poisson counts
    const e = Float64Array.from({ length: 500 }, (_, i) => PL.centerEv - 0.5 + i * 0.002);
    const perEv = Float64Array.from(
      e,
      (v) => PL.peakCounts * Math.exp((-4 * Math.LN2 * (v - PL.centerEv) ** 2) / PL.fwhmEv ** 2),
    );
    const nm = energyToWavelength(calibrated(perEv, [coordinateAxis('energy', 'eV', e)]));
    const norm = PL.peakCounts / Math.max(...nm.data);
    const plSeed = ctx.rngSeed('pl-noise');
    const rng = createRng(plSeed);
    const counts = Float64Array.from(nm.data, (v) => poisson(rng, v * norm + PL.background));
    const pl = calibrated(counts, nm.axes, { unit: 'counts', name: 'PL' });
    const fitE = fitPeaks(pl, { energy: true, sigma: 'poisson', baseline: 'constant' });
    const p = fitE.peaks[0];
    // 2. absorption with an excitonic feature, second derivative
    const absSeed = ctx.rngSeed('absorption-noise');
    const arng = createRng(absSeed);
    const ax = Array.from({ length: 401 }, (_, i) => 400 + i * 0.5);
    const ay = ax.map((l) => {
      const en = HC_EV_NM / l;
      const ex = HC_EV_NM / EXCITON_NM;
      return (
        0.6 / (1 + Math.exp(-(en - (ex + 0.06)) / 0.03)) +
        0.25 * Math.exp((-4 * Math.LN2 * (en - ex) ** 2) / 0.09 ** 2) +
        normal(arng, 0, 0.002)
      );
    });
    const abs = excitonicPeak(
      { x: ax, y: ay, xUnit: 'nm', unit: 'OD' },
      { window: 21, range: [450, 520], seed: absSeed },
    );
    const stokes = stokesShift({ emission: p.center, absorption: abs.energyEv });
    // 3. colour: this PL, and red / blue QD LEDs (25 nm FWHM) with the Rec. 2020 green
    const plColour = chromaticity(pl);
    const led = (center: number) =>
      chromaticity(
        simulateSpectrum({
          x: { start: center - 80, stop: center + 80, step: 0.5 },
          xUnit: 'nm',
          peaks: [{ shape: 'gaussian', center, area: 1, fwhm: 25 }],
          seed: 1,
        }),
      );
    const red = led(630);
    const blue = led(467);
    const gamut = gamutCoverage([red, REC2020_PRIMARIES.green, blue]);
    const plFigure = peakFitFigure(fitE, {
      title: 'Simulated CsPbBr3@SiO2 PL, fitted on a photon-energy axis',
    });
    const cie = chromaticityFigure([
      { label: 'red QD LED 630 nm', x: red.x, y: red.y },
      { label: 'Rec. 2020 green', ...REC2020_PRIMARIES.green },
      { label: 'blue QD LED 467 nm', x: blue.x, y: blue.y },
      { label: 'simulated PL (498 nm)', x: plColour.x, y: plColour.y, inGamut: false },
    ]);
    const blocks: ReportBlock[] = [
      {
        kind: 'text',
        text:
          `A PL band that is Gaussian in photon energy (centre ${PL.centerEv} eV, FWHM ${PL.fwhmEv} eV, the values paper 001 reports for ` +
          `CsPbBr3@SiO2 nanocrystals) is recorded on a wavelength axis, where the Jacobian hc/λ² skews it, with Poisson noise (seed ${plSeed}). ` +
          'Converting back with I(E) = I(λ) λ²/hc and fitting on the energy axis recovers the truth within the standard errors.',
      },
      {
        kind: 'figure',
        figure: plFigure,
        caption: 'PL on the photon-energy axis with the Gaussian fit and residuals.',
      },
      {
        kind: 'table',
        columns: ['Quantity', 'Truth', 'Fit', 'Stderr', 'z'],
        rows: [
          [
            'PL centre (eV)',
            PL.centerEv,
            p.center.value,
            p.center.stderr,
            zText(p.center.value, p.center.stderr, PL.centerEv),
          ],
          [
            'PL FWHM (eV)',
            PL.fwhmEv,
            p.fwhm.value,
            p.fwhm.stderr,
            zText(p.fwhm.value, p.fwhm.stderr, PL.fwhmEv),
          ],
          [
            'excitonic absorption (nm)',
            EXCITON_NM,
            abs.wavelengthNm.value,
            abs.wavelengthNm.stderr,
            zText(abs.wavelengthNm.value, abs.wavelengthNm.stderr, EXCITON_NM),
          ],
        ],
        caption: 'Recovered against simulated values; z = (fit − truth)/stderr.',
      },
      {
        kind: 'text',
        text:
          `The excitonic absorption peak, from the minimum of the Savitzky-Golay second derivative, is at ${formatQuantity(abs.wavelengthNm)} ` +
          `(${formatQuantity(abs.energyEv)}); with the fitted PL at ${formatQuantity(p.center)} the Stokes shift is ${formatQuantity(stokes)} ` +
          '(paper 001: 2.56 − 2.49 eV ≈ 70 meV).',
      },
      { kind: 'pre', text: peakFitReport(fitE), caption: 'PL fit report' },
      {
        kind: 'figure',
        figure: cie,
        caption: `CIE 1931 diagram: red (630 nm) and blue (467 nm) QD LEDs with 25 nm FWHM and the Rec. 2020 green span ${(100 * gamut.coverage).toFixed(1)} % of the Rec. 2020 triangle (dashed).`,
      },
      {
        kind: 'table',
        columns: ['Emitter', 'x', 'y'],
        rows: [
          ['red QD LED, 630 nm', red.x, red.y],
          ['blue QD LED, 467 nm', blue.x, blue.y],
          ['simulated PL, 2.49 eV', plColour.x, plColour.y],
        ],
        caption:
          'CIE 1931 chromaticities (Rec. 2020 primaries: R 0.708, 0.292; G 0.170, 0.797; B 0.131, 0.046).',
      },
    ];
    return {
      section: { id: 'spectra', title: this.title, blocks },
      results: {
        pl: {
          seed: plSeed,
          truth: { centerEv: PL.centerEv, fwhmEv: PL.fwhmEv },
          centerEv: p.center,
          fwhmEv: p.fwhm,
          centerWavelengthNm: p.centerWavelengthNm ?? null,
          reducedChi2: fitE.fit.reducedChi2,
        },
        absorption: {
          seed: absSeed,
          truthNm: EXCITON_NM,
          excitonNm: abs.wavelengthNm,
          excitonEv: abs.energyEv,
        },
        stokesShift: stokes,
        chromaticity: {
          pl: { x: plColour.x, y: plColour.y },
          red: { x: red.x, y: red.y },
          blue: { x: blue.x, y: blue.y },
        },
        rec2020Coverage: gamut.coverage,
      },
    };
  },
};
