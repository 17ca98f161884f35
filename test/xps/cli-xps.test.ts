import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseComponents } from '../../src/cli/commands/xps.js';
import { simulateXps } from '../../src/xps/simulate.js';
import { axisValues } from '../../src/data/axis.js';
import { cli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'nanolum-xps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fixture = fileURLToPath(
  new URL('../../../shared/fixtures/xps/lmfitxps_clean_Au_4f.csv', import.meta.url),
);

describe('nanolum xps', () => {
  it('parses --components', () => {
    expect(parseComponents('138.2:Pb2+, 137.0:Pb0')).toEqual([
      { position: 138.2, label: 'Pb2+' },
      { position: 137, label: 'Pb0' },
    ]);
    expect(parseComponents('2')).toHaveLength(2);
    expect(() => parseComponents('abc:Pb')).toThrow(/--components: "abc" is not a number/);
  });

  it('fits a simulated Pb 4f region on a binding-energy scale with labelled components and writes outputs', async () => {
    const s = simulateXps({
      bindingEnergy: { start: 132, stop: 150, step: 0.05 },
      doublet: 'Pb4f',
      components: [
        { position: 138.2, area: 400000, fwhm: 1.0 },
        { position: 137.0, area: 100000, fwhm: 1.0 },
      ],
      backgroundCounts: 10000,
      shirleyFraction: 0.01,
      seed: 12,
    });
    const be = axisValues(s.axes[0]);
    const path = join(root, 'pb4f.csv');
    writeFileSync(
      path,
      ['binding energy (eV),counts', ...Array.from(s.data, (v, i) => `${be[i]},${v}`)].join('\n') +
        '\n',
    );
    const dir = join(root, 'out');
    const r = await cli(
      'xps',
      path,
      '--binding',
      '--doublet',
      'Pb4f',
      '--components',
      '138.1:Pb2+,137.1:Pb0',
      '--json',
      '--out',
      dir,
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const pb0 = j.fit.components.find((c: { label: string }) => c.label === 'Pb0');
    expect(Math.abs(pb0.relativeArea.value - 0.2) / pb0.relativeArea.stderr).toBeLessThan(3.5);
    expect(j.fit.doublet.splitting.value).toBe(4.86);
    expect(readdirSync(dir).sort()).toEqual([
      'report.html',
      'xps-fit.csv',
      'xps-fit.svg',
      'xps.json',
    ]);
  });

  it.skipIf(!existsSync(fixture))(
    'real Au 4f (shared/fixtures/xps; absent in a fresh clone): 4f7/2 at 84.0 eV with a 3.63 eV work function',
    async () => {
      const r = await cli(
        'xps',
        fixture,
        '--photon-energy-ev',
        '180',
        '--work-function-ev',
        '3.63',
        '--doublet',
        'Au4f',
        '--shape',
        'voigt',
        '--quiet',
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/4f7\/2 8[34]\.9\d+|4f7\/2 84\.0\d+/);
      expect(r.stdout).toMatch(/splitting 3\.67 eV \(fixed\)/);
    },
  );

  it('needs a photon energy for kinetic-energy data', async () => {
    const r = await cli('xps', fixture, '--doublet', 'Au4f');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nanolum: give --photon-energy-ev/);
  });
});
