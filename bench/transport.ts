/**
 * Exciton-transport Monte Carlo: nanolum (TypeScript kernel on worker threads) against two numba
 * programs on the same parameters in one run, each with `prange` over walker chunks on all cores:
 *
 * - `transport-peer.py`, numba running exactly nanolum's event-driven algorithm on the same random
 *   streams. It receives the kernel tables nanolum builds (including the lookup tables that
 *   replace threshold searches and logarithms) and uses them the same way, so both run the same
 *   algorithm; their outputs (photons, survivors, summed squared displacement) are compared as a
 *   check (identical).
 * - `transport-peer-plain.py`, the straightforward per-step numba code a scientist would write
 *   from paper 004 (one uniform per walker and step, cumulative event probabilities, numba's
 *   per-thread `np.random`): the reference implementation of issue 5 (~3.6e8 walker-steps/s for
 *   1e6 walkers x 400 steps on this machine). It takes only the model parameters, so its
 *   random streams (and, in the disorder case, its lattice) differ from nanolum's; its photon
 *   count is compared with nanolum's as a z-score (`bench/transport-plain-check.ts` compares
 *   the full MSD(t) curves).
 *
 * Timings: medians of repeats that alternate between the two programs (the peer runs as a
 * server, `--serve`), so that both see the same background load on a shared machine. Warm-up
 * is excluded on both sides: numba's warm-up call compiles the kernel (JIT compile excluded);
 * nanolum's warm-up calls let V8 tier the kernel up to optimised code and start the persistent
 * worker pool (worker start-up and the workers' JIT excluded: the timed calls run on the warm
 * pool, which is what a program making several calls gets). All sides use 2 threads: this
 * thread plus one pool worker for nanolum, numba's thread pool for the peers. The notes also give
 * each side on one thread (the per-thread speed).
 */
import type * as TransportApi from '../src/transport/index.js';
import { type BenchResult, type BenchRow, PeerServer, median, peerScript } from './util.js';

const PEER = peerScript('transport-peer.py');
const PLAIN_PEER = peerScript('transport-peer-plain.py');
/** Untimed calls per case before timing (V8 optimises a function after a few hot calls). */
const WARMUP_CALLS = 3;
const WARMUP_MS = 300;
type Api = typeof TransportApi;

/** nanolum's transport module (compiled by `npm run bench`, or the sources under tsx) and its worker backend. */
async function loadApi(): Promise<{ api: Api; from: string }> {
  await import('../src/node/index.js');
  const from = import.meta.url.endsWith('.ts') ? 'src' : 'compiled';
  return { api: await import('../src/transport/index.js'), from };
}

interface Case {
  name: string;
  params: Parameters<Api['simulateTransport']>[0];
  workers: number;
  repeats: number;
}

interface PeerReply {
  ms: number;
  emitted: number;
  survivors: number;
  sumR2: number;
}

/** A numba peer in its interleaved mode (`--serve`, see bench/peer_serve.py). */
interface TransportPeer {
  server: PeerServer;
  numba: string;
  threads: number;
}

async function startPeer(
  script: string,
  configs: Array<Record<string, unknown>>,
): Promise<TransportPeer> {
  const { server, hello } = await PeerServer.start(script, {
    runs: configs.map((config) => ({ config })),
  });
  return { server, numba: String(hello.numba), threads: Number(hello.threads) };
}

/** One timed run of config `index` on `threads` threads. */
async function runPeer(peer: TransportPeer, index: number, threads: number): Promise<PeerReply> {
  return (await peer.server.request({ run: index, threads })) as PeerReply;
}

function fmtMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(0);
}

/** z-score of two photon counts out of `walkers` excitons each (binomial, pooled probability). */
function photonZ(a: number, b: number, walkers: number): number {
  const p = (a + b) / (2 * walkers);
  const v = 2 * walkers * p * (1 - p);
  return v > 0 ? (a - b) / Math.sqrt(v) : 0;
}

function plain(cfg: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(cfg).map(([k, v]) => [
      k,
      ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
    ]),
  );
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
    {
      name: "004's setting: 10,000 walkers x 300 steps (9 K)",
      params: { ...p9, walkers: 10_000, steps: 300 },
      workers: 1,
      repeats: 21,
    },
    {
      name: '9 K, 1e6 walkers x 400 steps',
      params: { ...p9, walkers: 1_000_000, steps: 400 },
      workers: 2,
      repeats: 5,
    },
    {
      name: 'trap model, 1e6 walkers x 400 steps',
      params: { ...trap, walkers: 1_000_000, steps: 400 },
      workers: 2,
      repeats: 5,
    },
    {
      name: '3-D, dark->bright 0.02, 3e5 walkers x 400 steps',
      params: { ...api.preset('004-5nm-warm'), dimension: 3, walkers: 300_000, steps: 400 },
      workers: 2,
      repeats: 5,
    },
    {
      name: 'disorder 20 meV at 50 K + 10 % vacancies, 3e5 x 300',
      params: {
        ...trap,
        walkers: 300_000,
        steps: 300,
        disorder: { sigmaMeV: 20, temperatureK: 50 },
        vacancyFraction: 0.1,
      },
      workers: 2,
      repeats: 5,
    },
  ];
  const configs = cases.map((c) =>
    plain(
      api.buildKernelConfig(api.normalizeSimulationParams(c.params)) as unknown as Record<
        string,
        unknown
      >,
    ),
  );
  // The plain per-step peer gets the model parameters only (it builds its own tables/lattice).
  const modelConfigs = cases.map(
    (c) => api.normalizeSimulationParams(c.params) as unknown as Record<string, unknown>,
  );
  type Started = TransportPeer;
  const hint =
    ' (install the peers with: apt-get install python3-scipy python3-lmfit python3-numba)';
  // Both peers compile and warm up at the same time (nothing is timed yet).
  const [ev, pl] = await Promise.allSettled([
    startPeer(PEER, configs),
    startPeer(PLAIN_PEER, modelConfigs),
  ]);
  const peer: Started | null = ev.status === 'fulfilled' ? ev.value : null;
  const plainPeer: Started | null = pl.status === 'fulfilled' ? pl.value : null;
  const why = (r: PromiseSettledResult<Started>) =>
    r.status === 'rejected' ? `${(r.reason as Error).message.split('\n')[0]}${hint}` : '';
  const peerError = why(ev);
  const plainError = why(pl);
  const rows: BenchRow[] = [];
  try {
    for (const [i, c] of cases.entries()) {
      const p = api.normalizeSimulationParams(c.params);
      const runOnce = async () => api.simulateTransportParallel(p, { workers: c.workers });
      // Warm-up: starts the pool's workers, and V8 optimises the kernel (at least WARMUP_CALLS
      // calls and WARMUP_MS of work, so that short runs are timed on optimised code too).
      const first = await runOnce();
      const w0 = performance.now();
      for (let k = 1; k < 200 && (k < WARMUP_CALLS || performance.now() - w0 < WARMUP_MS); k++)
        await runOnce();
      for (let k = 0; k < WARMUP_CALLS; k++) api.simulateTransport(p);
      // Timed runs, alternating with the peer's.
      const times: number[] = [];
      const peerTimes: number[] = [];
      const plainTimes: number[] = [];
      let peerOut: PeerReply | null = null;
      let plainOut: PeerReply | null = null;
      for (let k = 0; k < c.repeats; k++) {
        const t0 = performance.now();
        await runOnce();
        times.push(performance.now() - t0);
        if (peer) {
          const r = await runPeer(peer, i, peer.threads);
          peerTimes.push(r.ms);
          peerOut ??= r;
        }
        if (plainPeer) {
          const r = await runPeer(plainPeer, i, plainPeer.threads);
          plainTimes.push(r.ms);
          plainOut ??= r;
        }
      }
      const single: number[] = [];
      const peerSingle: number[] = [];
      const plainSingle: number[] = [];
      for (let k = 0; k < Math.min(3, c.repeats); k++) {
        const t0 = performance.now();
        api.simulateTransport(p);
        single.push(performance.now() - t0);
        if (peer) peerSingle.push((await runPeer(peer, i, 1)).ms);
        if (plainPeer) plainSingle.push((await runPeer(plainPeer, i, 1)).ms);
      }
      let sumR2 = 0;
      for (const q of first.curve)
        if (q.msdDisplacementSites2 !== null)
          sumR2 += q.msdDisplacementSites2 * q.emissions * p.dimension;
      const same = peerOut
        ? peerOut.emitted === first.emitted &&
          peerOut.survivors === first.survivors &&
          Math.abs(peerOut.sumR2 - sumR2) <= 1e-9 * Math.max(1, sumR2)
        : null;
      const ms = median(times);
      const peerMs = peerTimes.length ? median(peerTimes) : NaN;
      const plainMs = plainTimes.length ? median(plainTimes) : NaN;
      const walkerSteps = p.walkers * p.steps;
      const rate = (t: number) => (walkerSteps / (t * 1e-3)).toExponential(2);
      const threads = c.workers > 1 ? `${c.workers} threads` : '1 thread';
      rows.push({
        name: c.name,
        nanolumMs: ms,
        peerMs,
        ratio: peerMs / ms,
        note:
          `peer: numba, same event-driven algorithm; ${threads}, ${rate(ms)} walker-steps/s; 1 thread ${fmtMs(median(single))} ms` +
          (peerSingle.length ? ` vs numba 1 thread ${fmtMs(median(peerSingle))} ms` : '') +
          (same === null ? '' : same ? '; outputs identical' : '; OUTPUTS DIFFER'),
      });
      const z = plainOut ? photonZ(first.emitted, plainOut.emitted, p.walkers) : NaN;
      rows.push({
        name: "  same case, numba per-step (the issue's reference implementation)",
        nanolumMs: ms,
        peerMs: plainMs,
        ratio: plainMs / ms,
        note: plainPeer
          ? `peer: numba per-step, ${rate(plainMs)} walker-steps/s on ${plainPeer.threads} threads; 1 thread ${fmtMs(median(single))} ms vs numba ${fmtMs(median(plainSingle))} ms (${rate(median(plainSingle))}/s); photons z = ${z.toFixed(2)} (other streams${p.disorder || p.vacancyFraction ? ', own lattice' : ''})`
          : `not run: ${plainError}`,
      });
    }
  } finally {
    peer?.server.close();
    plainPeer?.server.close();
  }
  const summary: string[] = [
    `nanolum from ${from}, this thread + pool workers (warm).`,
    peer
      ? `Peer 1 (first row of a case): numba ${peer.numba} running nanolum's own event-driven algorithm on the same streams (transport-peer.py), ${peer.threads} threads (prange over walker chunks).`
      : `Peer 1 (numba, same event-driven algorithm) not run: ${peerError}`,
    plainPeer
      ? `Peer 2 (second row): the plain per-step numba implementation of the model, issue 5's reference (transport-peer-plain.py: one draw per walker and step, np.random per thread), ${plainPeer.threads} threads (prange over walker chunks); same model, other random streams.`
      : `Peer 2 (numba per-step) not run: ${plainError}`,
    'Medians of runs alternating between the programs; warm-up excluded on all sides (numba: JIT compile; nanolum: V8 tier-up, worker start). Ratio = numba ms / nanolum ms (>= 1: nanolum at least as fast).',
  ];
  return {
    title:
      'Exciton-transport Monte Carlo (nanolum vs numba: same event-driven algorithm and streams; and vs the plain per-step numba code)',
    rows,
    summary: summary.join('\n'),
  };
}
