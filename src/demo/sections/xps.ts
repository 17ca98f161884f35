/**
 * Demo section "XPS": a simulated Pb 4f region of CsPbBr3@SiO2 nanocrystals before annealing,
 * with the three chemical states and relative areas that paper 001 reports (lattice Pb2+ ~72 %,
 * a lower-binding-energy state ~23 %, a higher-binding-energy state ~5 %), Gaussian doublets with
 * the Pb 4f splitting 4.86 eV and area ratio 4:3, on a Shirley background with Poisson counts;
 * fitted with a fitted Shirley background, and the recovered relative areas compared with the
 * truth.
 */
import { formatQuantity } from '../../core/quantity.js';
import type { ReportBlock } from '../../report/types.js';
import { fitXps, xpsFitReport } from '../../xps/fit.js';
import { xpsFitFigure } from '../../xps/figures.js';
import { simulateXps } from '../../xps/simulate.js';
import type { DemoSection } from '../types.js';

const TRUTH = [
  { label: 'Pb2+ (lattice)', position: 138.2, fraction: 0.72 },
  { label: 'lower BE (Pb0-like)', position: 137.0, fraction: 0.23 },
  { label: 'higher BE (oxidised)', position: 139.0, fraction: 0.05 },
] as const;
const TOTAL_AREA = 400000;

/** The "XPS" demo section. */
export const xpsSection: DemoSection = {
  id: 'xps',
  title: 'XPS: Pb 4f chemical states with spin-orbit doublets and a Shirley background',
  async run(ctx) {
    const seed = ctx.rngSeed('pb4f-noise');
    const s = simulateXps({
      bindingEnergy: { start: 132, stop: 150, step: 0.05 },
      doublet: 'Pb4f',
      components: TRUTH.map((t) => ({
        position: t.position,
        area: t.fraction * TOTAL_AREA,
        fwhm: 1.0,
        label: t.label,
      })),
      backgroundCounts: 12000,
      shirleyFraction: 0.01,
      seed,
    });
    const r = fitXps(s, {
      doublet: 'Pb4f',
      components: TRUTH.map((t) => ({ position: t.position + 0.15, label: t.label })),
    });
    const rows = TRUTH.map((t) => {
      const c = r.components.find((k) => k.label === t.label)!;
      const z = c.relativeArea.stderr
        ? (c.relativeArea.value - t.fraction) / c.relativeArea.stderr
        : null;
      return [
        t.label,
        t.position,
        c.position.value,
        c.position.stderr,
        t.fraction,
        c.relativeArea.value,
        c.relativeArea.stderr,
        z === null ? '—' : z.toFixed(2),
      ];
    });
    const blocks: ReportBlock[] = [
      {
        kind: 'text',
        text:
          'Wang et al. (paper 001) deconvolve the Pb 4f region of CsPbBr3@SiO2 films into three doublets: lattice Pb2+ (4f7/2 at 138.2 eV), ' +
          'a lower-oxidation-state shoulder (~137 eV, ~23 % before annealing) and a higher one (~139 eV, 4-6 %). This spectrum is simulated with ' +
          `those positions and areas (Pb 4f splitting 4.86 eV, area ratio 4:3, Shirley background, Poisson counts, seed ${seed}) and fitted; ` +
          `the Shirley background's end levels are fitted together with the peaks, so their uncertainty enters the relative areas.`,
      },
      {
        kind: 'figure',
        figure: xpsFitFigure(r, { title: 'Simulated Pb 4f of CsPbBr3@SiO2 (before annealing)' }),
        caption: 'Counts, the three fitted doublets on the background, and residuals.',
      },
      {
        kind: 'table',
        columns: [
          'State',
          'True 4f7/2 (eV)',
          'Fit (eV)',
          'Stderr',
          'True fraction',
          'Fit fraction',
          'Stderr',
          'z',
        ],
        rows,
        caption: 'Relative areas of the chemical states against the simulation truth.',
      },
      { kind: 'pre', text: xpsFitReport(r), caption: 'XPS fit report' },
    ];
    const lower = r.components.find((c) => c.label === TRUTH[1].label)!;
    return {
      section: { id: 'xps', title: this.title, blocks },
      results: {
        seed,
        truth: TRUTH,
        components: r.components.map((c) => ({
          label: c.label,
          position: c.position,
          fwhm: c.fwhm,
          relativeArea: c.relativeArea,
        })),
        lowerOxidationFraction: lower.relativeArea,
        summary: `lower-BE (Pb0-like) fraction ${formatQuantity({ ...lower.relativeArea, value: 100 * lower.relativeArea.value, stderr: lower.relativeArea.stderr === null ? null : 100 * lower.relativeArea.stderr, unit: '%' })}`,
        reducedChi2: r.fit.reducedChi2,
        warnings: r.warnings,
      },
    };
  },
};
