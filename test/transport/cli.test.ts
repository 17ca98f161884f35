import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeTplmCube } from '../../src/transport/index.js';
import { runCliCaptured as run } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nanolum-transport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCube(): string {
  const cube = synthesizeTplmCube({ sigma0Um: 0.3, dCm2PerS: 0.5, tauNs: 0.8, seed: 5, bins: 40 });
  const nx = cube.axes[1].size;
  const xs = Array.from({ length: nx }, (_, i) =>
    (cube.axes[1].coordinates
      ? cube.axes[1].coordinates[i]
      : cube.axes[1].offset + i * cube.axes[1].scale
    ).toFixed(4),
  );
  let text = `t(ns)\\x(um),${xs.join(',')}\n`;
  for (let k = 0; k < 40; k++)
    text += `${(k * 0.025).toFixed(3)},${Array.from(cube.data.subarray(k * nx, (k + 1) * nx)).join(',')}\n`;
  const path = join(dir, 'cube.csv');
  writeFileSync(path, text);
  return path;
}

describe('nanolum transport', () => {
  it('analyze --json gives the MSD, D_avg, tau_PL, L with its definition and t_max', async () => {
    const path = writeCube();
    const r = await run(['transport', 'analyze', path, '--model', 'voigt', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j.msd[1]).sort()).toEqual(['msdUm2', 'stderr', 'tNs']);
    for (const k of ['dAvgCm2PerS', 'tauPlNs', 'diffusionLengthNm', 'tMaxNs'])
      expect(typeof j[k]).toBe('number');
    expect(j.diffusionLengthDefinition).toMatch(/sqrt/);
    expect(Math.abs(j.dAvgCm2PerS - 0.5)).toBeLessThan(4 * j.dAvgStderr);
    expect(j.provenance.inputs[0].name).toBe('cube.csv');
    const text = await run(['transport', 'analyze', path]);
    expect(text.out).toMatch(/D_avg \(004 eqn 2\)/);
  });

  it('simulate --json: curve of emissions and MSDs; bad rates exit 1 with a message', async () => {
    const r = await run([
      'transport',
      'simulate',
      '--preset',
      '004-5nm-9K',
      '--walkers',
      '5000',
      '--steps',
      '60',
      '--seed',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.curve).toHaveLength(60);
    for (const k of ['tNs', 'emissions', 'msdProfileSites2', 'msdDisplacementSites2'])
      expect(k in j.curve[0]).toBe(true);
    expect(j.curve[1].tNs).toBeCloseTo(0.025, 12);
    expect(j.params.seed).toBe(3);
    const bad = await run(['transport', 'simulate', '--gamma-fret', '0.3']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/shorter time step/);
    const bad2 = await run(['transport', 'simulate', '--walkers', 'many']);
    expect(bad2.code).toBe(1);
    expect(bad2.err).toMatch(/--walkers/);
  });

  it('fit: the JSON of simulate in, rates with uncertainties out', async () => {
    const sim = await run([
      'transport',
      'simulate',
      '--preset',
      '004-5nm-warm',
      '--walkers',
      '100000',
      '--seed',
      '4',
      '--json',
    ]);
    const path = join(dir, 'sim.json');
    writeFileSync(path, sim.out);
    const r = await run([
      'transport',
      'fit',
      path,
      '--vary',
      'gammaFret,gammaBD,gammaDB',
      '--initial',
      'gammaTrap=0,gammaFret=0.05,gammaBD=0.1,gammaDB=0.05',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Math.abs(j.params.gammaFret.value - 0.09)).toBeLessThan(
      3 * j.params.gammaFret.stderr + 1e-9,
    );
    expect(Math.abs(j.params.gammaDB.value - 0.02)).toBeLessThan(
      3 * j.params.gammaDB.stderr + 1e-9,
    );
    const bad = await run(['transport', 'fit', path, '--initial', 'gammaZ=1']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown parameter "gammaZ"/);
  });
});
