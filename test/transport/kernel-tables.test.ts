/**
 * The kernel's lookup tables must give exactly what the rules they replace give: the
 * threshold search (step guide), the logarithm of the geometric waiting time (breakpoints) and
 * the alias rule (alias guide) - checked on every bucket edge and on random draws.
 */
import { describe, expect, it } from 'vitest';
import {
  ALIAS_GUIDE_MISS,
  ALIAS_GUIDE_SHIFT,
  GUIDE_SHIFT,
  aliasGuide,
  geometricTables,
  stepGuide,
} from '../../src/transport/kernel.js';
import { buildKernelConfig } from '../../src/transport/simulate.js';
import { normalizeSimulationParams, preset } from '../../src/transport/model.js';
import { createRng } from '../../src/random/index.js';

const INV32 = 1 / 4294967296;
const rng = createRng(99);
const draw = (): number => Math.floor(rng.next() * 4294967296);

/** Draws to test: random ones plus the edges of every guide bucket. */
function draws(shift: number, random: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 2 ** (32 - shift); b++) out.push(b * 2 ** shift, (b + 1) * 2 ** shift - 1);
  for (let i = 0; i < random; i++) out.push(draw());
  return out;
}

describe('geometric waiting-time tables', () => {
  const K = (u: number, logq: number) => Math.floor(Math.log((u + 1) * INV32) / logq);
  /** What the kernel does with the tables: K if K < R, else "survives" (null). */
  function fromTables(
    t: { surv: Float64Array; top: Int32Array },
    u: number,
    R: number,
  ): number | null {
    if (u <= t.surv[R]) return null;
    let k = t.top[u >>> GUIDE_SHIFT];
    if (k >= R) k = R - 1;
    while (u > t.surv[k]) k--;
    return k;
  }

  for (const P of [0.0003, 0.0203, 0.1003, 0.12]) {
    it(`equal the logarithm exactly (P = ${P})`, () => {
      const logq = Math.log1p(-P);
      const steps = 400;
      const t = geometricTables(logq, steps);
      expect(t.surv[0]).toBe(4294967295);
      for (let k = 1; k <= steps; k++) {
        expect(t.surv[k]).toBeLessThanOrEqual(t.surv[k - 1]);
        // the breakpoints themselves: K(surv[k]) >= k > K(surv[k] + 1)
        if (t.surv[k] >= 0) {
          expect(K(t.surv[k], logq)).toBeGreaterThanOrEqual(k);
          if (t.surv[k] < 4294967295) expect(K(t.surv[k] + 1, logq)).toBeLessThan(k);
        }
      }
      let wrong = 0;
      for (const u of draws(GUIDE_SHIFT, 20_000)) {
        const k = K(u, logq);
        for (const R of [1, 7, 150, steps])
          if (fromTables(t, u, R) !== (k >= R ? null : k)) wrong++;
      }
      expect(wrong).toBe(0);
    });
  }
});

describe('step guide', () => {
  it('gives the threshold search’s outcome wherever it is not -1', () => {
    const cfg = buildKernelConfig(normalizeSimulationParams(preset('004-trap')));
    const thr = cfg.bStepThr;
    const n = cfg.nEvB;
    const g = stepGuide(thr, 0, n);
    expect(g).toEqual(cfg.bStepGuide);
    const search = (u: number): number => {
      if (u >= thr[n - 1]) return n;
      let e = 0;
      while (u >= thr[e]) e++;
      return e;
    };
    let misses = 0;
    let wrong = 0;
    for (const u of draws(GUIDE_SHIFT, 20_000)) {
      const e = g[u >>> GUIDE_SHIFT];
      if (e < 0) misses++;
      else if (e !== search(u)) wrong++;
    }
    expect(wrong).toBe(0);
    // only buckets that straddle a threshold fall back to the search
    expect(g.filter((e) => e < 0).length).toBeLessThanOrEqual(n);
    expect(misses).toBeGreaterThan(0);
  });

  it('refuses more events than an Int8 guide can hold', () => {
    expect(() => stepGuide(new Float64Array(200), 0, 200)).toThrow(/at most 126 events/);
  });
});

describe('alias guide', () => {
  for (const sigma of [10, 0.7, 3000]) {
    it(`gives the alias rule’s position wherever it is not a miss (sigma0 = ${sigma} sites)`, () => {
      const cfg = buildKernelConfig(
        normalizeSimulationParams({ ...preset('004-5nm-9K'), sigma0Sites: sigma }),
      );
      const g = aliasGuide(cfg.aliasProb, cfg.aliasIndex, cfg.aliasCentre);
      expect(g).toEqual(cfg.aliasGuide);
      const m = cfg.aliasProb.length;
      const rule = (u: number): number => {
        const f = u * m * INV32;
        const j = Math.floor(f);
        return (f - j < cfg.aliasProb[j] ? j : cfg.aliasIndex[j]) - cfg.aliasCentre;
      };
      let hits = 0;
      let wrong = 0;
      for (const u of draws(ALIAS_GUIDE_SHIFT, 20_000)) {
        const v = g[u >>> ALIAS_GUIDE_SHIFT];
        if (v !== ALIAS_GUIDE_MISS) {
          hits++;
          if (v !== rule(u)) wrong++;
        }
      }
      expect(wrong).toBe(0);
      // with more alias columns than guide buckets (wide spots) every bucket spans several
      // columns and the kernel always applies the rule
      if (m < 2 ** (32 - ALIAS_GUIDE_SHIFT) / 2) expect(hits).toBeGreaterThan(20_000);
      else expect(hits).toBe(0);
    });
  }
});
