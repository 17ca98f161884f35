import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fluenceSection } from '../../src/demo/sections/fluence.js';
import { sectionContext } from '../../src/demo/seed.js';
import { readTable } from '../../src/io/table.js';
import { fitFluenceSeries } from '../../src/kinetics/fluence/fit.js';
import { simulatePlqeVsFluence } from '../../src/kinetics/fluence/plqe.js';
import { runCliCaptured as run } from '../helpers/cli.js';

const btFile = fileURLToPath(
  new URL('../../../shared/fixtures/kinetics/trpl/pears_BT_TRPL_processed.txt', import.meta.url),
);
const haveBt = existsSync(btFile);
const work = mkdtempSync(join(tmpdir(), 'nanolum-fluence-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('nanolum fluence', () => {
  it.skipIf(!haveBt)(
    'fits the pears BT series and matches the library (--json), writes figures and a report (--out)',
    async () => {
      const outDir = join(work, 'bt');
      const r = await run([
        'fluence',
        btFile,
        '--model',
        'bt',
        '--n0',
        '5.58e15,1e16,2.23e16',
        '--json',
        '--out',
        outDir,
      ]);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out);
      const table = readTable(readFileSync(btFile));
      const lib = fitFluenceSeries(
        [5.58e15, 1e16, 2.23e16].map((n0, k) => ({
          timesNs: table.columns[0]!.values,
          signal: table.columns[k + 1]!.values,
          n0,
        })),
        { model: 'bt' },
      );
      expect(json.params.kB.value).toBeCloseTo(lib.params.kB!.value, 25);
      expect(json.params.kB.stderr).toBeGreaterThan(0);
      expect(json.params.kA).toMatchObject({ value: 0, fixed: true, stderr: null });
      expect(json.traces).toHaveLength(3);
      expect(json.provenance.inputs[0].name).toBe('pears_BT_TRPL_processed.txt');
      expect(readdirSync(outDir).sort()).toEqual([
        'fluence.csv',
        'fluence.json',
        'fluence.svg',
        'report.html',
      ]);
      expect(readFileSync(join(outDir, 'fluence.svg'), 'utf8')).toMatch(/^<svg/);
      expect(readFileSync(join(outDir, 'fluence.csv'), 'utf8').split('\n')[0]).toBe(
        'time_ns,signal_1,best_1,residual_1,signal_2,best_2,residual_2,signal_3,best_3,residual_3',
      );
    },
  );

  it.skipIf(!haveBt)('prints a readable report with fixed parameters and losses', async () => {
    const r = await run([
      'fluence',
      btFile,
      '--model',
      'bt',
      '--n0',
      '5.58e15 1e16 2.23e16',
      '--amplitude',
      'fixed',
      '--fix',
      'kA',
      '--params',
      'kA=0',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/kT\s+= [\d.]+ ± [\d.]+ ns\^-1/);
    expect(r.out).toMatch(/kA\s+= 0 cm\^6\/ns \(fixed\)/);
    expect(r.out).toMatch(/losses: trapping [\d.]+%, bimolecular [\d.]+%/);
  });

  it('fits PL QE vs fluence in uJ/cm^2 (paper 000 model)', async () => {
    const truth = { sigmaCm2: 2.9e-14, eta0: 0.4, kappa: 0.05, scale: 1 };
    const d = simulatePlqeVsFluence({
      params: truth,
      photonsCm2: [1e11, 3e14],
      points: 26,
      relativeNoise: 0.02,
      seed: 5,
    });
    const perUJ = 2.0137e12; // photons/cm^2 per uJ/cm^2 at 400 nm (physics.md: 2.01e12)
    const csv = ['fluence_uJcm2,qe', ...d.photonsCm2.map((p, i) => `${p / perUJ},${d.qe[i]}`)].join(
      '\n',
    );
    const file = join(work, 'qe.csv');
    writeFileSync(file, csv);
    const r = await run([
      'fluence',
      file,
      '--model',
      'plqe',
      '--fluence-unit',
      'uJ/cm^2',
      '--wavelength-nm',
      '400',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Math.abs(json.sigmaCm2.value - truth.sigmaCm2)).toBeLessThan(3 * json.sigmaCm2.stderr);
    expect(json.points).toHaveLength(26);
    const text = await run([
      'fluence',
      file,
      '--model',
      'plqe',
      '--fluence-unit',
      'uJ/cm^2',
      '--wavelength-nm',
      '400',
    ]);
    expect(text.out).toMatch(/sigma_abs\s+= [\d.]+e-14 ± [\d.]+e-1[56] cm\^2/);
  });

  it('reports usage and input errors', async () => {
    const file = join(work, 'tiny.txt');
    writeFileSync(file, '0 1 1\n1 0.5 0.4\n2 0.25 0.2\n3 0.12 0.1\n');
    const noN0 = await run(['fluence', file, '--model', 'bt']);
    expect(noN0.code).toBe(1);
    expect(noN0.err).toMatch(/--n0 is required/);
    const count = await run(['fluence', file, '--model', 'bt', '--n0', '1e16']);
    expect(count.code).toBe(1);
    expect(count.err).toMatch(/--n0 gives 1 densities but tiny.txt has 2 signal columns/);
    const unknown = await run([
      'fluence',
      file,
      '--model',
      'bt',
      '--n0',
      '1e15,1e16',
      '--params',
      'kZ=1',
    ]);
    expect(unknown.err).toMatch(/unknown parameter "kZ"/);
    const badModel = await run(['fluence', file, '--model', 'nope']);
    expect(badModel.code).toBe(2);
    const badNumber = await run([
      'fluence',
      file,
      '--model',
      'bt',
      '--n0',
      '1e15,1e16',
      '--t-min',
      'soon',
    ]);
    expect(badNumber.code).toBe(2);
  });
});

describe('demo section: fluence', () => {
  it('recovers the simulated truth and is reproducible', async () => {
    const a = await fluenceSection.run(sectionContext(7, 'fluence'));
    const b = await fluenceSection.run(sectionContext(7, 'fluence'));
    expect(JSON.stringify(a.results)).toBe(JSON.stringify(b.results));
    const res = a.results as {
      bt: {
        params: Record<string, { value: number; stderr: number | null }>;
        truth: Record<string, number>;
      };
      plqe: { sigmaCm2: { value: number; stderr: number }; truth: { sigmaCm2: number } };
    };
    for (const k of ['kT', 'kB'])
      expect(Math.abs(res.bt.params[k]!.value - res.bt.truth[k]!)).toBeLessThan(
        3.5 * res.bt.params[k]!.stderr!,
      );
    expect(Math.abs(res.plqe.sigmaCm2.value - res.plqe.truth.sigmaCm2)).toBeLessThan(
      3.5 * res.plqe.sigmaCm2.stderr,
    );
    expect(a.section.blocks.filter((x) => x.kind === 'figure')).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(a.results))).toEqual(a.results); // plain JSON
  });
});
