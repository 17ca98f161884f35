import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGlotaranAscii } from '../../src/io/glotaran-ascii.js';
import {
  chirpTimeZeroPs,
  correctChirp,
  estimateChirp,
  globalLifetimeAnalysis,
  significantComponents,
  smoothComponents,
  svd,
  taKinetics,
  taMatrixView,
} from '../../src/kinetics/ta/index.js';

const fixture = fileURLToPath(
  new URL('../../../shared/fixtures/kinetics/ta/glotaran_demo_Hippius2007.ascii', import.meta.url),
);
const haveFixture = existsSync(fixture);

/** Time at which a kinetic first reaches half of its largest |value| before 5 ps (an independent look at time zero). */
function halfRisePs(times: number[], values: number[]): number {
  let peak = 0;
  for (let i = 0; i < times.length; i++)
    if (times[i]! < 5 && Math.abs(values[i]!) > Math.abs(peak)) peak = values[i]!;
  const i = values.findIndex((v, k) => times[k]! < 5 && v / peak > 0.5);
  return times[i]!;
}

describe.skipIf(!haveFixture)(
  'TA analysis of the pyglotaran demo data (Hippius et al. 2007; shared/fixtures/kinetics/ta, absent in a fresh clone)',
  () => {
    const ta = haveFixture
      ? readGlotaranAscii(readFileSync(fixture), { fileName: 'glotaran_demo_Hippius2007.ascii' })
      : null!;
    const v = haveFixture ? taMatrixView(ta) : null!;

    it('SVD: singular values, noise level and the number of smooth components', () => {
      const s = svd(v.data, v.nt, v.nw, { vectors: 8 });
      const gd = significantComponents(s.singularValues, v.nt, v.nw);
      const smooth = smoothComponents(s);
      const total = s.singularValues.reduce((acc, x) => acc + x * x, 0);
      const share = s.singularValues.slice(0, 4).map((x) => (x * x) / total);
      console.log(
        `Hippius 2007 TA (${v.nt} times x ${v.nw} wavelengths): singular values ${s.singularValues
          .slice(0, 8)
          .map((x) => x.toFixed(4))
          .join(
            ', ',
          )}; variance share of the first four ${share.map((x) => x.toFixed(4)).join(', ')}; ` +
          `smooth components (lag-1 autocorrelation > 0.8 of both vectors): ${smooth}; Gavish-Donoho rank ${gd.rank} ` +
          `(threshold ${gd.threshold.toExponential(3)}, white-noise sd ${gd.noiseSd.toExponential(2)} - the noise is not white: it grows towards the red edge)`,
      );
      expect(s.singularValues[0]!).toBeGreaterThan(2 * s.singularValues[1]!);
      expect(share[0]!).toBeGreaterThan(0.9);
      expect(smooth).toBeGreaterThanOrEqual(3);
      expect(smooth).toBeLessThanOrEqual(5);
      expect(s.uAutocorrelation[0]!).toBeGreaterThan(0.95);
      // the raw data's noise (from successive differences at late times, 700-900 ps, mid-spectrum)
      let ss = 0;
      let n = 0;
      for (let i = 1; i < v.nt; i++) {
        if (v.timesPs[i]! < 700) continue;
        for (let j = 100; j < 250; j++) {
          ss += (v.data[i * v.nw + j]! - v.data[(i - 1) * v.nw + j]!) ** 2 / 2;
          n++;
        }
      }
      const sdMid = Math.sqrt(ss / n);
      expect(gd.noiseSd / sdMid).toBeGreaterThan(0.3);
      expect(gd.noiseSd / sdMid).toBeLessThan(3);
    });

    it('chirp: time zero moves later towards the red, as the raw rise shows', () => {
      const chirp = estimateChirp(ta, { order: 3, referenceNm: 550 });
      const used = chirp.points.filter((p) => p.used);
      console.log(
        `chirp (order 3, reference 550 nm): t0 = ${chirp.timeZeroPs.value.toFixed(3)} ± ${chirp.timeZeroPs.stderr!.toFixed(3)} ps, ` +
          `c = ${chirp.coefficients.map((c) => `${c.value.toFixed(3)} ± ${c.stderr!.toFixed(3)}`).join(', ')} ps/(100 nm)^k; ` +
          `IRF FWHM ${chirp.irfFwhmPs.value.toFixed(3)} ps; ${used.length}/${chirp.points.length} bands used, rms ${chirp.rmsPs.toFixed(3)} ps; ` +
          `t0(450) = ${chirpTimeZeroPs(chirp, 450).toFixed(2)}, t0(700) = ${chirpTimeZeroPs(chirp, 700).toFixed(2)} ps`,
      );
      const [k450, k700] = taKinetics(ta, { wavelengthsNm: [450, 700], bandNm: 10 });
      const rawShift =
        halfRisePs(k700!.timesPs, k700!.values) - halfRisePs(k450!.timesPs, k450!.values);
      const modelShift = chirpTimeZeroPs(chirp, 700) - chirpTimeZeroPs(chirp, 450);
      expect(rawShift).toBeGreaterThan(0.3);
      expect(Math.abs(modelShift - rawShift)).toBeLessThan(0.15);
      expect(chirp.irfFwhmPs.value).toBeLessThan(0.4);
      expect(used.length).toBeGreaterThan(15);
    });

    it('global lifetime analysis of the chirp-corrected matrix (t >= 0.5 ps)', () => {
      const corrected = correctChirp(ta, estimateChirp(ta, { order: 3, referenceNm: 550 }));
      const g3 = globalLifetimeAnalysis(corrected, { lifetimesPs: [10, 60, 1000], tMinPs: 0.5 });
      const g4 = globalLifetimeAnalysis(corrected, {
        lifetimesPs: [1, 10, 60, 1000],
        tMinPs: 0.5,
        residualSvd: true,
      });
      const fmt = (g: typeof g4): string =>
        g.lifetimesPs
          .map((q) => `${q.value.toPrecision(4)} ± ${q.stderr!.toPrecision(2)}`)
          .join(', ');
      let dataSs = 0;
      for (let i = 0; i < g4.fitted.length; i++) dataSs += (g4.fitted[i]! + g4.residuals[i]!) ** 2;
      const explained = 1 - (g4.rmsResidual ** 2 * g4.nData) / dataSs;
      console.log(
        `global analysis, 3 lifetimes: ${fmt(g3)} ps (rms residual ${(1000 * g3.rmsResidual).toFixed(3)} mOD); ` +
          `4 lifetimes: ${fmt(g4)} ps (rms residual ${(1000 * g4.rmsResidual).toFixed(3)} mOD, ${(100 * explained).toFixed(3)}% of the signal variance, ` +
          `${g4.iterations} iterations); residual singular values ${g4
            .residualSingularValues!.slice(0, 4)
            .map((x) => x.toFixed(4))
            .join(', ')}`,
      );
      for (const g of [g3, g4]) {
        expect(g.converged).toBe(true);
        const taus = g.lifetimesPs.map((q) => q.value);
        for (let i = 1; i < taus.length; i++) expect(taus[i]! / taus[i - 1]!).toBeGreaterThan(1.5);
        for (const q of g.lifetimesPs) {
          expect(q.stderr).not.toBeNull();
          expect(q.stderr! / q.value).toBeLessThan(0.25);
        }
      }
      expect(g4.rmsResidual).toBeLessThan(g3.rmsResidual);
      expect(explained).toBeGreaterThan(0.99);
      // the DAS of the slowest components are bleach-dominated near the 530 nm pump
      const j530 = g4.wavelengthsNm.findIndex((w) => w > 528);
      expect(g4.das[2]!.amplitude[j530]!).toBeLessThan(0);
    });
  },
);
