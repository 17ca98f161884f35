/**
 * Exciton-transport Monte Carlo: nanolum (TypeScript kernel on worker threads) against a numba
 * implementation of exactly the same model and algorithm (`transport-peer.py`, `prange` over
 * walker chunks on all cores), on the same parameters and the same random streams in one run.
 * The peer receives the kernel tables nanolum builds, so both simulate the same thing; their
 * outputs (photons, survivors, summed squared displacement) are compared as a check.
 * Timings: median of repeats after a warm-up call on both sides (numba's JIT compile excluded;
 * nanolum's warm-up compiles V8's JIT, and each timed parallel call starts its worker threads).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as TransportApi from '../src/transport/index.js';
import { type BenchResult, type BenchRow, median, runPeer } from './util.js';

const PEER = fileURLToPath(new URL('./transport-peer.py', import.meta.url));
const DIST = new URL('../dist/transport/index.js', import.meta.url);
const DIST_NODE = new URL('../dist/node/index.js', import.meta.url);

type Api = typeof TransportApi;

/** nanolum's transport module: the compiled `dist/` when built (workers start without tsx), else the sources. */
async function loadApi(): Promise<{ api: Api; from: string }> {
  if (existsSync(fileURLToPath(DIST)) && existsSync(fileURLToPath(DIST_NODE))) {
    await import(DIST_NODE.href);
    return { api: (await import(DIST.href)) as Api, from: 'dist' };
  }
  await import('../src/node/index.js');
  return { api: await import('../src/transport/index.js'), from: 'src' };
}

interface Case {
  name: string;
  params: Parameters<Api['simulateTransport']>[0];
  workers: number;
  repeats: number;
}

interface PeerRun {
  name: string;
  ms: number;
  emitted: number;
  survivors: number;
  sumR2: number;
}

function plain(cfg: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v]));
}

/**
 * Run the transport benchmark.
 *
 * @example
 * const { rows } = await benchTransport();
 */
export async function benchTransport(): Promise<BenchResult> {
  const { api, from } = await loadApi();
  const p9 = api.preset('004-5nm-9K');
  const trap = api.preset('004-trap');
  const cases: Case[] = [
    { name: "004's setting: 10,000 walkers x 300 steps (9 K)", params: { ...p9, walkers: 10_000, steps: 300 }, workers: 1, repeats: 21 },
    { name: '9 K, 1e6 walkers x 400 steps', params: { ...p9, walkers: 1_000_000, steps: 400 }, workers: 2, repeats: 5 },
    { name: 'trap model, 1e6 walkers x 400 steps', params: { ...trap, walkers: 1_000_000, steps: 400 }, workers: 2, repeats: 5 },
    { name: '3-D, dark->bright 0.02, 3e5 walkers x 400 steps', params: { ...api.preset('004-5nm-warm'), dimension: 3, walkers: 300_000, steps: 400 }, workers: 2, repeats: 5 },
    { name: 'disorder 20 meV at 50 K + 10 % vacancies, 3e5 x 300', params: { ...trap, walkers: 300_000, steps: 300, disorder: { sigmaMeV: 20, temperatureK: 50 }, vacancyFraction: 0.1 }, workers: 2, repeats: 5 },
  ];
  const ours: Array<{ ms: number; emitted: number; survivors: number; sumR2: number; singleMs: number }> = [];
  const peerRuns: Array<{ name: string; repeats: number; config: Record<string, unknown> }> = [];
  for (const c of cases) {
    const p = api.normalizeSimulationParams(c.params);
    peerRuns.push({ name: c.name, repeats: c.repeats, config: plain(api.buildKernelConfig(p) as unknown as Record<string, unknown>) });
    const runOnce = async () => api.simulateTransportParallel(p, { workers: c.workers });
    const first = await runOnce(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < c.repeats; i++) {
      const t0 = performance.now();
      await runOnce();
      times.push(performance.now() - t0);
    }
    const single: number[] = [];
    for (let i = 0; i < Math.min(3, c.repeats); i++) {
      const t0 = performance.now();
      api.simulateTransport(p);
      single.push(performance.now() - t0);
    }
    let sumR2 = 0;
    for (const q of first.curve) if (q.msdDisplacementSites2 !== null) sumR2 += q.msdDisplacementSites2 * q.emissions * p.dimension;
    ours.push({ ms: median(times), emitted: first.emitted, survivors: first.survivors, sumR2, singleMs: median(single) });
  }
  let peer: { numba: string; threads: number; runs: PeerRun[] } | null = null;
  let peerError = '';
  try {
    peer = runPeer(PEER, [], { runs: peerRuns }) as { numba: string; threads: number; runs: PeerRun[] };
  } catch (e) {
    peerError = (e as Error).message.split('\n')[0];
  }
  const rows: BenchRow[] = cases.map((c, i) => {
    const o = ours[i];
    const pr = peer?.runs.find((r) => r.name === c.name);
    const same = pr ? pr.emitted === o.emitted && pr.survivors === o.survivors && Math.abs(pr.sumR2 - o.sumR2) <= 1e-9 * Math.max(1, o.sumR2) : null;
    const walkerSteps = (c.params.walkers as number) * (c.params.steps as number);
    return {
      name: c.name,
      nanolumMs: o.ms,
      peerMs: pr ? pr.ms : NaN,
      ratio: pr ? pr.ms / o.ms : NaN,
      note:
        `${c.workers} worker${c.workers > 1 ? 's' : ''}, ${(walkerSteps / (o.ms * 1e-3)).toExponential(2)} walker-steps/s; 1 thread ${o.singleMs.toFixed(0)} ms` +
        (same === null ? '' : same ? '; outputs identical' : '; OUTPUTS DIFFER'),
    };
  });
  return {
    title: 'Exciton-transport Monte Carlo (nanolum vs numba, same model, same streams)',
    rows,
    summary: peer
      ? `nanolum from ${from}; peer: numba ${peer.numba}, ${peer.threads} threads (prange over walker chunks). Ratio = numba ms / nanolum ms.`
      : `peer not run: ${peerError}`,
  };
}
