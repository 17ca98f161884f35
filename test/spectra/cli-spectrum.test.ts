import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateSpectrum } from '../../src/spectra/simulate.js';
import { cli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'nanolum-spectrum-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function plFile(): string {
  const s = simulateSpectrum({
    x: { start: 440, stop: 600, step: 0.5 },
    xUnit: 'nm',
    peaks: [{ shape: 'gaussian', center: 515, area: 30000, fwhm: 20 }],
    baseline: [15],
    noise: { type: 'poisson' },
    seed: 3,
  });
  const lines = ['wavelength (nm),counts'];
  s.data.forEach((v, i) => lines.push(`${440 + i * 0.5},${v}`));
  const path = join(root, 'pl.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('nanolum spectrum', () => {
  it('prints peak, FWHM, area, fit and chromaticity; --json holds the same numbers', async () => {
    const path = plFile();
    const t = await cli('spectrum', path, '--poisson');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/peak position\s+51[45]\.\d+ nm/);
    expect(t.stdout).toMatch(/1 gaussian peak on a constant baseline/);
    expect(t.stdout).toMatch(/CIE 1931 chromaticity/);
    const j = await cli('spectrum', path, '--poisson', '--json');
    const out = JSON.parse(j.stdout);
    const p = out.fit.peaks[0];
    expect(Math.abs(p.center.value - 515) / p.center.stderr).toBeLessThan(3.5);
    expect(Math.abs(p.fwhm.value - 20) / p.fwhm.stderr).toBeLessThan(3.5);
    expect(out.chromaticity.y).toBeGreaterThan(0.6);
    expect(out.provenance.analysis).toBe('spectrum');
    expect(out.input.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--energy fits in eV; --out writes JSON, CSV, SVG with residuals and an HTML report', async () => {
    const path = plFile();
    const dir = join(root, 'out');
    const r = await cli(
      'spectrum',
      path,
      '--energy',
      '--shape',
      'voigt',
      '--poisson',
      '--out',
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/eV \(51\d\.\d+ ± [\d.]+ nm\)/);
    expect(readdirSync(dir).sort()).toEqual([
      'chromaticity.svg',
      'report.html',
      'spectrum-fit.csv',
      'spectrum-fit.svg',
      'spectrum.json',
    ]);
    expect(readFileSync(join(dir, 'spectrum-fit.svg'), 'utf8')).toMatch(/Residual/);
    expect(readFileSync(join(dir, 'spectrum-fit.csv'), 'utf8').split('\n')[0]).toBe(
      'x,y,best,residual,baseline,peak1',
    );
  });

  it('bad options give one-line errors with exit code 1', async () => {
    const path = plFile();
    const a = await cli('spectrum', path, '--peaks', 'two');
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^nanolum: --peaks must be an integer/);
    const b = await cli('spectrum', path, '--range', '500');
    expect(b.stderr).toMatch(/--range: "500" is not of the form min:max/);
    const c = await cli('spectrum', path, '--baseline', 'cubic');
    expect(c.stderr).toMatch(/--baseline: "cubic"/);
    const d = await cli('spectrum', join(root, 'missing.csv'));
    expect(d.code).toBe(1);
  });
});
