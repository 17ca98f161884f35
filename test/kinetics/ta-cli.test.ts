import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { taSection } from '../../src/demo/sections/ta.js';
import { sectionContext } from '../../src/demo/seed.js';
import { writeGlotaranAscii } from '../../src/io/glotaran-ascii.js';
import { simulateTaMatrix } from '../../src/kinetics/ta/simulate.js';
import { runCliCaptured as run } from '../helpers/cli.js';

const fixture = fileURLToPath(
  new URL('../../../shared/fixtures/kinetics/ta/glotaran_demo_Hippius2007.ascii', import.meta.url),
);
const haveFixture = existsSync(fixture);
const work = mkdtempSync(join(tmpdir(), 'nanolum-ta-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TAUS = [2, 40, 800];
function simulatedFile(chirp: boolean): string {
  const t: number[] = [];
  for (let x = -1; x < 2; x += 0.05) t.push(Number(x.toFixed(3)));
  for (let x = 2; x < 2500; x *= 1.1) t.push(Number(x.toFixed(4)));
  const w = Array.from({ length: 36 }, (_, j) => 450 + 7 * j);
  const sim = simulateTaMatrix({
    timesPs: t,
    wavelengthsNm: w,
    components: [
      {
        tauPs: TAUS[0]!,
        bands: [
          { centerNm: 520, fwhmNm: 40, amplitude: -3 },
          { centerNm: 620, fwhmNm: 60, amplitude: 1 },
        ],
      },
      {
        tauPs: TAUS[1]!,
        bands: [
          { centerNm: 500, fwhmNm: 50, amplitude: -2 },
          { centerNm: 660, fwhmNm: 60, amplitude: 1.5 },
        ],
      },
      { tauPs: TAUS[2]!, bands: [{ centerNm: 490, fwhmNm: 60, amplitude: -1 }] },
    ],
    irf: { centerPs: 0.3, fwhmPs: 0.2 },
    ...(chirp ? { dispersion: { referenceNm: 560, coefficients: [0.3, -0.1] } } : {}),
    noiseSd: 0.02,
    seed: 12,
  });
  const file = join(work, chirp ? 'chirped.ascii' : 'plain.ascii');
  writeFileSync(file, writeGlotaranAscii(sim.matrix, { title: 'simulated' }));
  return file;
}

describe('nanolum ta', () => {
  it('global analysis of a simulated Glotaran file recovers the lifetimes (--json)', async () => {
    const r = await run([
      'ta',
      simulatedFile(false),
      '--global',
      '3',
      '--lifetimes',
      '1,20,500',
      '--irf-fwhm',
      '0.3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    json.global.lifetimesPs.forEach((q: { value: number; stderr: number }, i: number) =>
      expect(Math.abs(q.value - TAUS[i]!)).toBeLessThan(3 * q.stderr),
    );
    expect(json.global.das).toHaveLength(3);
    expect(json.global.das[0].amplitude).toHaveLength(36);
    expect(json.matrix).toMatchObject({ times: expect.any(Number), wavelengths: 36 });
    expect(json.svd).toBeUndefined();
  });

  it('chirp, SVD, kinetics with a fixed lifetime (001 style) and all output files', async () => {
    const outDir = join(work, 'out');
    const r = await run([
      'ta',
      simulatedFile(true),
      '--chirp',
      '--svd',
      '--wavelengths',
      '520,660',
      '--band',
      '10',
      '--lifetimes',
      '30,800f',
      '--t-min',
      '4',
      '--out',
      outDir,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/chirp \(order 2, reference \d+ nm\): t0 = /);
    expect(r.out).toMatch(/SVD: singular values/);
    expect(r.out).toMatch(/kinetics at 520 nm .*tau2 = 800 ps \(fixed\)/);
    expect(readdirSync(outDir).sort()).toEqual(
      [
        'chirp.svg',
        'kinetics.csv',
        'kinetics.svg',
        'report.html',
        'svd-spectra.svg',
        'svd.csv',
        'svd.svg',
        'ta-map.svg',
        'ta.json',
      ].sort(),
    );
    const json = JSON.parse(readFileSync(join(outDir, 'ta.json'), 'utf8'));
    expect(json.chirp.coefficients[0].value).toBeGreaterThan(0.2);
    expect(json.kinetics[1].fit.components[1].tauPs).toEqual({
      value: 800,
      stderr: null,
      unit: 'ps',
    });
    expect(readFileSync(join(outDir, 'report.html'), 'utf8')).toMatch(/Chirp/);
  });

  it.skipIf(!haveFixture)(
    'summarises the Hippius 2007 demo file and runs the SVD by default',
    async () => {
      const r = await run(['ta', fixture, '--json']);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out);
      expect(json.matrix).toMatchObject({
        times: 335,
        wavelengths: 346,
        format: 'Glotaran ASCII (time explicit)',
      });
      expect(json.svd.smoothComponents).toBe(3);
      expect(json.svd.singularValues[0]).toBeCloseTo(2.1354, 3);
    },
  );

  it('reports usage and input errors', async () => {
    const file = simulatedFile(false);
    const mismatch = await run(['ta', file, '--global', '3', '--lifetimes', '1,20']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(/--global 3 but --lifetimes gives 2/);
    const bad = await run(['ta', file, '--global', '--lifetimes', '1,x']);
    expect(bad.err).toMatch(/--lifetimes: "x"/);
    const range = await run(['ta', file, '--wavelengths', '1000']);
    expect(range.err).toMatch(/outside the data/);
    const notInt = await run(['ta', file, '--global', '2.5']);
    expect(notInt.code).toBe(2);
  });
});

describe('demo section: transient absorption', () => {
  it('recovers the simulated lifetimes and chirp, reproducibly', async () => {
    const a = await taSection.run(sectionContext(3, 'ta'));
    const b = await taSection.run(sectionContext(3, 'ta'));
    expect(JSON.stringify(a.results)).toBe(JSON.stringify(b.results));
    const res = a.results as {
      truth: { lifetimesPs: number[] };
      global: { lifetimesPs: Array<{ value: number; stderr: number }>; dasMeanSquaredZ: number };
      chirp: { rmsErrorVsTruthPs: number };
    };
    // lifetimes within 5 % (the chirp correction interpolates the steep rise)
    res.global.lifetimesPs.forEach((q, i) =>
      expect(Math.abs(q.value / res.truth.lifetimesPs[i]! - 1)).toBeLessThan(0.05),
    );
    expect(res.chirp.rmsErrorVsTruthPs).toBeLessThan(0.03);
    expect(res.global.dasMeanSquaredZ).toBeLessThan(2);
    const figs = a.section.blocks.filter((x) => x.kind === 'figure');
    expect(figs.length).toBe(5);
    expect(
      figs.some((f) => f.kind === 'figure' && f.figure.series.some((s) => s.type === 'heatmap')),
    ).toBe(true);
  });
});
