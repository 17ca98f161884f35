import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnknownNameError } from '../../src/core/errors.js';
import { runDemo, type DemoOutput } from '../../src/demo/run.js';
import { deriveSeed, sectionContext } from '../../src/demo/seed.js';
import { MISRA1A, logRelativeError } from '../../src/demo/sections/fitting.js';
import { DEMO_SECTIONS } from '../../src/demo/sections/index.js';
import type { DemoSection } from '../../src/demo/types.js';
import { nodeDocument } from '../../src/node/svg.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const misraFile = path.resolve(here, '../../../shared/fixtures/fitting/nist-strd/Misra1a.dat');

interface ParamOut {
  value: number;
  stderr: number | null;
  truth?: number;
  certified?: number;
}

describe('deriveSeed / sectionContext', () => {
  it('is reproducible, label-dependent and in [0, 2^32)', () => {
    expect(deriveSeed(42, 'fitting')).toBe(deriveSeed(42, 'fitting'));
    expect(deriveSeed(42, 'fitting')).not.toBe(deriveSeed(42, 'spectra'));
    expect(deriveSeed(42, 'fitting')).not.toBe(deriveSeed(43, 'fitting'));
    expect(deriveSeed(2 ** 40, 'x')).not.toBe(deriveSeed(2 ** 40 + 2 ** 33, 'x'));
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(1, `label-${i}`)));
    expect(seeds.size).toBe(1000);
    for (const s of seeds) expect(s >= 0 && s < 2 ** 32 && Number.isInteger(s)).toBe(true);
    const ctx = sectionContext(42, 'fitting');
    expect(ctx.rngSeed('noise')).toBe(sectionContext(42, 'fitting').rngSeed('noise'));
    expect(ctx.rngSeed('noise')).not.toBe(sectionContext(42, 'other').rngSeed('noise'));
    expect(() => deriveSeed(1.5, 'x')).toThrow(/seed/);
  });
});

describe('runDemo (fitting section)', () => {
  let out: DemoOutput;
  const progress: Array<[number, number, string]> = [];
  beforeAll(async () => {
    out = await runDemo({
      seed: 11,
      document: nodeDocument(),
      only: ['fitting'],
      onProgress: (d, n, l) => progress.push([d, n, l]),
    });
  });

  it('produces a report with the fitting section, its figures and provenance', () => {
    expect(out.report.sections.map((s) => s.id)).toEqual(['fitting']);
    const kinds = out.report.sections[0].blocks.map((b) => b.kind);
    expect(kinds.filter((k) => k === 'figure').length).toBe(2);
    expect(kinds).toContain('table');
    expect(kinds).toContain('pre');
    expect(out.report.provenance.seed).toBe(11);
    expect(out.report.provenance.analysis).toBe('demo');
    expect(out.html).toContain('id="sec-fitting"');
    expect((out.html.match(/<svg /g) ?? []).length).toBe(2);
    expect(out.html).toContain('Misra1a');
    expect(progress[0]).toEqual([0, 1, DEMO_SECTIONS[0].title]);
    expect(progress[progress.length - 1]).toEqual([1, 1, 'done']);
  });

  it('fits Misra1a to the NIST certified values to at least 6 significant digits', () => {
    const r = (
      out.results.fitting as {
        misra1a: { status: string; params: Record<string, ParamOut>; rss: number };
      }
    ).misra1a;
    expect(r.status).toBe('converged');
    for (const name of ['b1', 'b2'] as const) {
      const p = r.params[name];
      const cert = MISRA1A.certified[name];
      expect(Math.abs(p.value - cert.value) / cert.value).toBeLessThan(1e-6);
      expect(Math.abs(p.stderr! - cert.stderr) / cert.stderr).toBeLessThan(1e-5);
      expect(logRelativeError(p.value, cert.value)).toBeGreaterThanOrEqual(6);
    }
    expect(Math.abs(r.rss - MISRA1A.certifiedRss) / MISRA1A.certifiedRss).toBeLessThan(1e-6);
  });

  it('recovers the simulated bi-exponential decay within its standard errors', () => {
    const d = (
      out.results.fitting as {
        decay: {
          status: string;
          params: Record<string, ParamOut>;
          comparison: { preferred: string };
        };
      }
    ).decay;
    expect(d.status).toBe('converged');
    for (const [name, p] of Object.entries(d.params)) {
      expect(p.stderr, name).not.toBeNull();
      expect(Math.abs(p.value - p.truth!) / p.stderr!, name).toBeLessThan(4);
    }
    expect(d.comparison.preferred).toBe('bi-exponential');
    // results are plain JSON
    expect(JSON.parse(JSON.stringify(out.results))).toEqual(out.results);
  });

  it('is reproducible from the seed, and another seed gives other noise', async () => {
    const again = await runDemo({ seed: 11, document: nodeDocument(), only: ['fitting'] });
    const other = await runDemo({ seed: 12, document: nodeDocument(), only: ['fitting'] });
    const decay = (o: DemoOutput) =>
      (o.results.fitting as { decay: { totalCounts: number; params: unknown } }).decay;
    expect(decay(again)).toEqual(decay(out));
    expect(decay(other).totalCounts).not.toBe(decay(out).totalCounts);
  });
});

describe('runDemo orchestration', () => {
  it('rejects unknown section ids, listing the known ones', async () => {
    await expect(runDemo({ document: nodeDocument(), only: ['nope'] })).rejects.toThrow(
      UnknownNameError,
    );
    await expect(runDemo({ document: nodeDocument(), only: ['nope'] })).rejects.toThrow(/fitting/);
  });

  it('keeps going when a section fails, and records the error', async () => {
    const sections: DemoSection[] = [
      {
        id: 'boom',
        title: 'Fails',
        run: async () => {
          throw new Error('kaput');
        },
      },
      {
        id: 'ok',
        title: 'Works',
        run: async (ctx) => ({
          section: {
            id: 'ok',
            title: 'Works',
            blocks: [{ kind: 'text', text: `seed ${ctx.seed}` }],
          },
          results: { seed: ctx.seed },
        }),
      },
    ];
    const out = await runDemo({ seed: 5, document: nodeDocument(), sections });
    expect(out.results.boom).toEqual({ error: 'Error: kaput' });
    expect(out.results.ok).toEqual({ seed: sectionContext(5, 'ok').seed });
    expect(out.html).toContain('This section failed');
    expect(out.report.sections.map((s) => s.id)).toEqual(['boom', 'ok']);
  });

  it('rejects a non-integer seed', async () => {
    await expect(runDemo({ seed: 0.5, document: nodeDocument(), sections: [] })).rejects.toThrow(
      /seed/,
    );
  });
});

describe('embedded Misra1a data', () => {
  it.skipIf(!existsSync(misraFile))(
    'equals the NIST StRD file (../shared/fixtures/fitting/nist-strd/Misra1a.dat)',
    () => {
      const text = readFileSync(misraFile, 'utf8');
      const data = text.slice(text.indexOf('Data:'));
      const rows = data
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter((r) => r.length === 2 && r.every(Number.isFinite));
      expect(rows.map((r) => r[0])).toEqual([...MISRA1A.y]);
      expect(rows.map((r) => r[1])).toEqual([...MISRA1A.x]);
      expect(text).toContain('2.3894212918E+02');
      expect(text).toContain('5.5015643181E-04');
      expect(text).toContain('1.2455138894E-01');
    },
  );
});
