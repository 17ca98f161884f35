import { describe, expect, it } from 'vitest';
import { nodeDocument } from '../../src/node/svg.js';
import { DEMO_SECTIONS, runDemo } from '../../src/demo/index.js';

describe('demo: every section runs', () => {
  it('no section of the full demo reports an error', async () => {
    const { results } = await runDemo({ seed: 20240601, document: nodeDocument() });
    const failed = Object.entries(results)
      .filter(([, r]) => (r as Record<string, unknown> | null)?.error !== undefined)
      .map(([id, r]) => `${id}: ${(r as Record<string, unknown>).error}`);
    expect(failed).toEqual([]);
    expect(Object.keys(results).sort()).toEqual(DEMO_SECTIONS.map((s) => s.id).sort());
  });
});
