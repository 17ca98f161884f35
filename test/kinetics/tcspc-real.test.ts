/**
 * Real data: a low-count single-particle decay (Full SMS, 4 ps bins, ~17,000 photons) with its
 * measured IRF, fitted by reconvolution. The lifetimes must be physically sensible for a
 * perovskite nanocrystal (sub-ns to a few ns), two components must beat one by BIC, and the
 * result must be stable against the fit range and the IRF background estimate.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { fitDecay, type DecayFitResult } from '../../src/kinetics/tcspc/index.js';

const DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/fixtures/kinetics/trpl',
);
const HAVE =
  existsSync(resolve(DIR, 'fullsms_Decaytrace1.txt')) &&
  existsSync(resolve(DIR, 'fullsms_IRF_data.txt'));

function load(name: string): { t: Float64Array; counts: Float64Array } {
  const table = readTable(readFileSync(resolve(DIR, name)), { fileName: name });
  return {
    t: Float64Array.from(table.columns[0]!.values),
    counts: Float64Array.from(table.columns[1]!.values),
  };
}

function row(label: string, r: DecayFitResult): string {
  const comps = r.components
    .map(
      (c) =>
        `${c.tauNs.toFixed(3)} ± ${c.tauNsStderr?.toFixed(3)} ns (${(100 * c.photonFraction).toFixed(1)} ± ${(100 * (c.photonFractionStderr ?? NaN)).toFixed(1)} %)`,
    )
    .join(', ');
  return `${label.padEnd(28)} ${comps.padEnd(78)} bg ${r.background.value.toFixed(3)}  shift ${r.shiftNs!.value.toFixed(4)} ns  dev ${r.deviance.toFixed(1)}  chi2r ${r.reducedChi2.toFixed(3)}  BIC ${r.bic.toFixed(1)}`;
}

describe.skipIf(!HAVE)(
  'Full SMS single-particle decay with its measured IRF (../shared/fixtures/kinetics/trpl)',
  () => {
    const decay = HAVE
      ? load('fullsms_Decaytrace1.txt')
      : { t: new Float64Array(0), counts: new Float64Array(0) };
    const irf = HAVE
      ? load('fullsms_IRF_data.txt')
      : { t: new Float64Array(0), counts: new Float64Array(0) };

    it('1 vs 2 exponentials: BIC prefers 2, lifetimes are physical and stable', () => {
      const one = fitDecay(decay, { irf, components: 1 });
      const two = fitDecay(decay, { irf, components: 2 });
      const auto = fitDecay(decay, { irf, components: 'auto' });
      // stability: start the fit later (1 ns), and a fixed IRF background instead of the estimate
      const later = fitDecay(decay, { irf, components: 2, fitRange: { startNs: 1 } });
      const irfBg = fitDecay(decay, { irf, components: 2, irfBackground: 25 });
      // the original 4 ps bins instead of the automatic groups
      const fullRes = fitDecay(decay, { irf, components: 2, groupBins: 1 });
      console.log(
        [
          `decay: ${decay.counts.length} bins of ${(decay.t[1]! - decay.t[0]!) * 1000} ps (fitted in groups of ${two.groupBins}), ${two.totalCounts} counts fitted (${two.fitRange.startNs}-${two.fitRange.endNs.toFixed(3)} ns); IRF FWHM ${(two.irfFwhmNs * 1000).toFixed(0)} ps, IRF background ${two.irfBackgroundCounts} counts/bin`,
          row('1 exponential', one),
          row('2 exponentials', two),
          row('2 exp., fit from 1 ns', later),
          row('2 exp., IRF background 25', irfBg),
          row('2 exp., original 4 ps bins', fullRes),
          `auto (BIC): ${auto.components.length} components; candidates ${auto.candidates!.map((c) => `${c.components}: BIC ${c.bic.toFixed(1)}`).join(', ')}`,
          `mean lifetime (2 exp.): amplitude-weighted ${two.meanLifetimeNs.amplitudeWeighted.value.toFixed(3)} ± ${two.meanLifetimeNs.amplitudeWeighted.stderr?.toFixed(3)} ns, intensity-weighted ${two.meanLifetimeNs.intensityWeighted.value.toFixed(3)} ± ${two.meanLifetimeNs.intensityWeighted.stderr?.toFixed(3)} ns`,
          ...two.warnings.map((w) => `warning: ${w}`),
        ].join('\n'),
      );
      for (const r of [one, two, later, irfBg, fullRes]) expect(r.converged).toBe(true);
      // the empty bins beyond the TAC range (13.2-15 ns) are left out, with a warning
      expect(two.fitRange.endNs).toBeCloseTo(13.152, 3);
      expect(two.warnings.some((w) => /are all empty/.test(w))).toBe(true);
      // grouping the bins loses nothing worth having: same lifetimes and errors as the original bins
      two.components.forEach((c, k) => {
        const f = fullRes.components[k]!;
        expect(Math.abs(f.tauNs - c.tauNs)).toBeLessThan(0.3 * c.tauNsStderr!);
        expect(f.tauNsStderr! / c.tauNsStderr!).toBeGreaterThan(0.9);
        expect(f.tauNsStderr! / c.tauNsStderr!).toBeLessThan(1.05);
      });
      // BIC: two components clearly better (and auto agrees)
      expect(two.bic).toBeLessThan(one.bic - 100);
      expect(auto.components).toHaveLength(2);
      // Pearson chi2 per dof: ~1 on the original (sparse) bins; on groups of bins, where each holds
      // more counts, two components leave a little structure, one leaves much more
      expect(fullRes.reducedChi2).toBeGreaterThan(0.9);
      expect(fullRes.reducedChi2).toBeLessThan(1.1);
      expect(two.reducedChi2).toBeLessThan(1.5);
      expect(one.reducedChi2).toBeGreaterThan(two.reducedChi2 + 1);
      // physically sensible for a CsPbBr3 nanocrystal: a sub-ns and a ns component, both well above the 4 ps bins
      const [fast, slow] = two.components;
      expect(fast!.tauNs).toBeGreaterThan(0.1);
      expect(fast!.tauNs).toBeLessThan(1);
      expect(slow!.tauNs).toBeGreaterThan(1);
      expect(slow!.tauNs).toBeLessThan(10);
      for (const c of two.components) {
        expect(c.tauNsStderr).not.toBeNull();
        expect(c.tauNsStderr! / c.tauNs).toBeLessThan(0.1);
      }
      // stable within the combined uncertainties
      for (const other of [later, irfBg, fullRes]) {
        two.components.forEach((c, k) => {
          const o = other.components[k]!;
          expect(Math.abs(o.tauNs - c.tauNs)).toBeLessThan(
            3 * Math.hypot(o.tauNsStderr!, c.tauNsStderr!),
          );
        });
      }
    });
  },
);
