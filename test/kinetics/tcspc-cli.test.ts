/**
 * `nanolum tcspc fit` and `nanolum flim`, run in this process through `runCli`: simulated data
 * recovered through the CLI, the real Full SMS decay, output files, and user errors.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { toJSON } from '../../src/data/calibrated.js';
import { simulateFlim } from '../../src/kinetics/flim/index.js';
import { simulateDecay } from '../../src/kinetics/tcspc/index.js';
import { cli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'nanolum-tcspc-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FIX = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/fixtures/kinetics/trpl',
);
const HAVE = existsSync(join(FIX, 'fullsms_Decaytrace1.txt'));

describe('nanolum tcspc fit', () => {
  it('recovers a simulated bi-exponential decay from a CSV in ps, with --json and --out', async () => {
    const sim = simulateDecay({
      components: [
        { tauNs: 0.5, photonFraction: 0.4 },
        { tauNs: 3, photonFraction: 0.6 },
      ],
      gaussianIrf: { fwhmNs: 0.15, centerNs: 1 },
      background: 1,
      totalCounts: 2e5,
      binNs: 0.02,
      nBins: 800,
      seed: 3,
    });
    const path = join(root, 'decay.csv');
    writeFileSync(
      path,
      [
        'time (ps),counts',
        ...Array.from(sim.counts, (c, i) => `${(sim.timeNs[i]! * 1000).toFixed(1)},${c}`),
      ].join('\n') + '\n',
    );
    const out = join(root, 'out1');
    const r = await cli(
      'tcspc',
      'fit',
      path,
      '--gaussian-irf',
      '0.15',
      '-c',
      '2',
      '--json',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.converged).toBe(true);
    expect(j.components).toHaveLength(2);
    for (const [k, tau] of [
      [0, 0.5],
      [1, 3],
    ] as const) {
      const c = j.components[k];
      expect(Math.abs(c.tauNs - tau)).toBeLessThan(3 * c.tauNsStderr);
      expect(typeof c.amplitude).toBe('number');
      expect(typeof c.photonFraction).toBe('number');
    }
    expect(j.meanLifetimeNs.intensityWeighted.unit).toBe('ns');
    expect(typeof j.deviance).toBe('number');
    expect(j.input.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(out).sort()).toEqual([
      'report.html',
      'tcspc.csv',
      'tcspc.json',
      'tcspc.svg',
    ]);
    expect(readFileSync(join(out, 'tcspc.csv'), 'utf8').split('\n')[0]).toBe(
      'time_ns,counts,fit,pearson_residual',
    );
    expect(readFileSync(join(out, 'tcspc.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it.skipIf(!HAVE)(
    'fits the Full SMS decay with its measured IRF; auto picks 2 components',
    async () => {
      const r = await cli(
        'tcspc',
        'fit',
        join(FIX, 'fullsms_Decaytrace1.txt'),
        '--irf',
        join(FIX, 'fullsms_IRF_data.txt'),
        '-c',
        'auto',
        '--json',
      );
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.components).toHaveLength(2);
      expect(j.candidates.length).toBeGreaterThanOrEqual(2);
      expect(j.components[0].tauNs).toBeGreaterThan(0.1);
      expect(j.components[1].tauNs).toBeLessThan(10);
      expect(r.stderr).toMatch(/warning: the last 462 bins/);
      const text = await cli(
        'tcspc',
        'fit',
        join(FIX, 'fullsms_Decaytrace1.txt'),
        '--irf',
        join(FIX, 'fullsms_IRF_data.txt'),
        '-c',
        '2',
        '-q',
      );
      expect(text.stdout).toMatch(/mean lifetime: amplitude-weighted/);
      expect(text.stdout).toMatch(/2 exp\s+\d/);
    },
  );

  it('reports user errors in one line', async () => {
    const path = join(root, 'tiny.txt');
    writeFileSync(path, '0 1\n0.1 5\n0.2 3\n0.3 1\n0.4 0\n');
    const noIrf = await cli('tcspc', 'fit', path);
    expect(noIrf.code).toBe(1);
    expect(noIrf.stderr).toMatch(/^nanolum: give the instrument response/);
    const badC = await cli('tcspc', 'fit', path, '--gaussian-irf', '0.1', '-c', '7');
    expect(badC.stderr).toMatch(/--components must be 1, 2, 3, 4 or auto/);
    const empty = join(root, 'empty.txt');
    writeFileSync(empty, '0 0\n0.1 0\n0.2 0\n0.3 0\n0.4 0\n');
    const zero = await cli('tcspc', 'fit', empty, '--gaussian-irf', '0.1');
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/no counts/);
    expect(zero.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('nanolum tcspc fit with several decays (a batch)', () => {
  /** Writes a simulated bi-exponential decay; returns its path. */
  const decayFile = (name: string, tauNs: number, seed: number): string => {
    const sim = simulateDecay({
      components: [
        { tauNs, photonFraction: 0.5 },
        { tauNs: 3, photonFraction: 0.5 },
      ],
      gaussianIrf: { fwhmNs: 0.15, centerNs: 1 },
      background: 1,
      totalCounts: 1e5,
      binNs: 0.02,
      nBins: 800,
      seed,
    });
    const path = join(root, name);
    writeFileSync(
      path,
      [
        'time (ns),counts',
        ...Array.from(sim.counts, (c, i) => `${sim.timeNs[i]!.toFixed(3)},${c}`),
      ].join('\n') + '\n',
    );
    return path;
  };

  it('fits every file, reports unreadable ones in their row and goes on, and writes a table', async () => {
    const taus = [0.3, 0.5, 0.8];
    const good = taus.map((tau, i) => decayFile(`particle${i}.csv`, tau, 20 + i));
    const bad = join(root, 'particle-bad.csv');
    writeFileSync(bad, 'time,counts\n0,1\n0.02,abc\n');
    const missing = join(root, 'particle-missing.csv');
    const out = join(root, 'batch');
    const files = [good[0]!, bad, good[1]!, missing, good[2]!];
    const r = await cli(
      'tcspc',
      'fit',
      ...files,
      '--gaussian-irf',
      '0.15',
      '-c',
      '2',
      '--json',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.fitted).toBe(3);
    expect(j.failed).toBe(2);
    expect(j.fits.map((f: { file: string }) => f.file)).toEqual([
      'particle0.csv',
      bad,
      'particle1.csv',
      missing,
      'particle2.csv',
    ]);
    expect(j.fits[1].error).toMatch(/particle-bad\.csv, row 3, column 2/);
    expect(j.fits[3].error).toMatch(/particle-missing\.csv/);
    [0, 2, 4].forEach((at, k) => {
      const c = j.fits[at].fit.components[0];
      expect(Math.abs(c.tauNs - taus[k]!)).toBeLessThan(4 * c.tauNsStderr);
    });
    expect(r.stderr).toMatch(/warning: skipped .*particle-bad\.csv/);
    expect(j.provenance.inputs).toHaveLength(3);
    // outputs: one CSV row per file, the JSON, and the log written as the batch went
    expect(readdirSync(out).sort()).toEqual([
      'tcspc-batch.csv',
      'tcspc-batch.json',
      'tcspc-batch.jsonl',
    ]);
    const csv = readFileSync(join(out, 'tcspc-batch.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(6);
    expect(csv[0]).toMatch(/^file,status,components,tau1_ns,tau1_stderr_ns,/);
    expect(csv[1]).toMatch(/^particle0\.csv,ok,2,/);
    expect(csv[2]).toMatch(/,error,/);
    const log = readFileSync(join(out, 'tcspc-batch.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((l) => JSON.parse(l).file)).toEqual(j.fits.map((f: { file: string }) => f.file));
  });

  it('a --range window applies to every file; a malformed one is a one-line error', async () => {
    const files = [decayFile('window0.csv', 0.5, 40), decayFile('window1.csv', 0.6, 41)];
    const r = await cli(
      'tcspc',
      'fit',
      ...files,
      '--gaussian-irf',
      '0.15',
      '-c',
      '2',
      '--range',
      '0.5:',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const f of j.fits) {
      expect(f.fit.fitRange.startNs).toBeCloseTo(0.5, 9);
      expect(f.fit.fitRange.endNs).toBeCloseTo(16, 9);
    }
    const bad = await cli('tcspc', 'fit', ...files, '--gaussian-irf', '0.15', '--range', '0.5-3');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('nanolum: --range must be "start:end" in ns, got "0.5-3"');
  });

  it.skipIf(!HAVE)('fits the real Full SMS decay in a batch as it does alone', async () => {
    const decay = join(FIX, 'fullsms_Decaytrace1.txt');
    const irf = ['--irf', join(FIX, 'fullsms_IRF_data.txt'), '-c', 'auto', '--json', '-q'];
    const alone = JSON.parse((await cli('tcspc', 'fit', decay, ...irf)).stdout);
    const batch = JSON.parse((await cli('tcspc', 'fit', decay, decay, ...irf)).stdout);
    expect(batch.fitted).toBe(2);
    for (const f of batch.fits) {
      expect(f.fit.components).toHaveLength(alone.components.length);
      expect(f.fit.deviance).toBeCloseTo(alone.deviance, 9);
    }
  });

  it('fails in one line when no decay can be fitted', async () => {
    const bad = join(root, 'only-bad.csv');
    writeFileSync(bad, 'time,counts\n0,1\n0.02,abc\n');
    const r = await cli('tcspc', 'fit', bad, join(root, 'nope.csv'), '--gaussian-irf', '0.15');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^nanolum: none of the 2 decays could be fitted \(first: .*only-bad\.csv/m,
    );
  });
});

describe('nanolum flim', () => {
  it('fits a JSON cube and writes the maps', async () => {
    const sim = simulateFlim({
      width: 6,
      height: 5,
      nt: 96,
      binNs: 0.1,
      lifetimeNs: (x) => 1 + x / 3,
      counts: 2000,
      background: 0.2,
      gaussianIrf: { fwhmNs: 0.2, centerNs: 1 },
      seed: 4,
    });
    const path = join(root, 'cube.json');
    writeFileSync(path, JSON.stringify(toJSON(sim.cube)));
    const out = join(root, 'flim-out');
    const r = await cli(
      'flim',
      path,
      '--gaussian-irf',
      '0.2',
      '--workers',
      '0',
      '--json',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.width).toBe(6);
    expect(j.height).toBe(5);
    expect(j.statusCounts.converged).toBe(30);
    expect(readdirSync(out).sort()).toEqual([
      'flim.json',
      'lifetime.csv',
      'lifetime.svg',
      'photons.csv',
      'report.html',
    ]);
    const rows = readFileSync(join(out, 'lifetime.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(5);
    const first = rows[0]!.split(',').map(Number);
    expect(first).toHaveLength(6);
    expect(first[5]! - first[0]!).toBeGreaterThan(1); // 1 ns -> 2.67 ns across the row
    const maps = JSON.parse(readFileSync(join(out, 'flim.json'), 'utf8')).maps;
    expect(maps.lifetimeNs).toHaveLength(30);
  });
  it('rejects other files clearly', async () => {
    const path = join(root, 'cube.txt');
    writeFileSync(path, '1 2 3\n');
    const r = await cli('flim', path, '--gaussian-irf', '0.2');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FLIM cubes are read from .sdt or .json files/);
  });
});
