import { describe, expect, it } from 'vitest';
import { materialsSection } from '../../src/demo/sections/materials.js';

function noNaN(v: unknown, path = ''): string[] {
  if (typeof v === 'number') return Number.isNaN(v) ? [path] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => noNaN(x, `${path}[${i}]`));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => noNaN(x, `${path}.${k}`));
  return [];
}

describe('demo section "materials"', () => {
  const ctx = (seed: number) => ({ seed, rngSeed: (label: string) => seed * 31 + label.length });

  it('returns the figures of the brief and JSON results', async () => {
    const out = await materialsSection.run(ctx(1));
    expect(materialsSection.id).toBe('materials');
    expect(out.section.id).toBe('materials');
    const figures = out.section.blocks.flatMap((b) => (b.kind === 'figure' ? [b.figure] : []));
    const titles = figures.map((f) => f.title ?? '');
    expect(titles.filter((t) => /PL peak vs edge length/.test(t))).toHaveLength(3);
    expect(titles.some((t) => /splitting vs size/.test(t))).toBe(true);
    expect(titles.some((t) => /bright triplet/.test(t))).toBe(true);
    expect(titles.some((t) => /LEDs/.test(t))).toBe(true);
    // each sizing figure has the band, the curve, the parabolic overlay and the table points
    for (const f of figures.slice(0, 3))
      expect(f.series.map((s) => s.type)).toEqual(['band', 'line', 'line', 'scatter']);
    const json = JSON.parse(JSON.stringify(out.results));
    expect(noNaN(json)).toEqual([]);
    expect(noNaN(figures)).toEqual([]);
    const br = json.sizing.CsPbBr3;
    expect(br.check.every((r: { withinBand: boolean }) => r.withinBand)).toBe(true);
    expect(br.parabolicOverestimateAt4nmMeV).toBeGreaterThan(100);
  });

  it('is reproducible for a seed', async () => {
    const a = await materialsSection.run(ctx(3));
    const b = await materialsSection.run(ctx(3));
    expect(JSON.stringify(a.results)).toBe(JSON.stringify(b.results));
  });
});
