/**
 * The transport simulator on the persistent worker pool: identical results whatever the number
 * of threads and whether the pool is kept, the same workers reused across calls, and
 * cancellation followed by a normal run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/core/errors.js';
import { liveWorkerCount } from '../../src/node/workers.js';
import { closeSharedWorkerPools, getSharedWorkerPool } from '../../src/parallel/index.js';
import {
  preset,
  simulateTransport,
  simulateTransportParallel,
  type TransportSimulationResult,
} from '../../src/transport/index.js';

afterAll(async () => {
  await closeSharedWorkerPools();
});

function expectSame(a: TransportSimulationResult, b: TransportSimulationResult): void {
  expect(b.curve).toEqual(a.curve);
  expect(b.emissionsByState).toEqual(a.emissionsByState);
  expect(Array.from(b.plCube.data)).toEqual(Array.from(a.plCube.data));
  expect([b.created, b.emitted, b.survivors]).toEqual([a.created, a.emitted, a.survivors]);
}

describe('simulateTransportParallel on the shared worker pool', () => {
  const p = { ...preset('004-trap'), walkers: 60_000, steps: 200, seed: 31 };

  it('gives the single-thread result with 2 and 3 threads, kept or fresh workers', async () => {
    const one = simulateTransport(p);
    expect(one.emitted + one.survivors).toBe(p.walkers);
    const two = await simulateTransportParallel(p, { workers: 2 });
    expectSame(one, two);
    const pool = getSharedWorkerPool();
    const started = pool.size;
    expect(started).toBeGreaterThanOrEqual(1);
    // the next call reuses the warm workers: no new thread
    expectSame(one, await simulateTransportParallel(p, { workers: 2 }));
    expect(pool.size).toBe(started);
    expect(liveWorkerCount()).toBe(started);
    expectSame(one, await simulateTransportParallel(p, { workers: 3 })); // pool grows to 2 workers
    expectSame(one, await simulateTransportParallel(p, { workers: 2, shareThisThread: false }));
    const before = liveWorkerCount();
    expectSame(one, await simulateTransportParallel(p, { workers: 2, keepAlive: false }));
    expect(liveWorkerCount()).toBe(before); // its own workers were terminated
    // another parameter set on the same workers (their cached tables are replaced)
    const q = { ...preset('004-5nm-warm'), walkers: 30_000, steps: 150, seed: 4 };
    expectSame(simulateTransport(q), await simulateTransportParallel(q, { workers: 2 }));
  });

  it('cancels (before and during a run), then the pool serves the next run', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      simulateTransportParallel(p, { workers: 2, signal: ac.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    // abort from a progress report while this thread and a worker are busy (a run long enough
    // - seconds - that this thread reports progress before it is done; the abort ends it early)
    const big = { ...preset('004-trap'), walkers: 400_000, steps: 3000, seed: 2 };
    const mid = new AbortController();
    const seen: number[] = [];
    const err = await simulateTransportParallel(big, {
      workers: 2,
      signal: mid.signal,
      onProgress: (done, total) => {
        seen.push(done);
        expect(total).toBe(Math.ceil(400_000 / 8192));
        mid.abort();
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toBeLessThan(Math.ceil(400_000 / 8192));
    // the worker that was busy was terminated; the next run starts a new one and is exact
    const again = await simulateTransportParallel(p, { workers: 2 });
    expectSame(simulateTransport(p), again);
  });
});
