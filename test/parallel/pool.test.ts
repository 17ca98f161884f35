import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { CancelledError, InvalidInputError } from '../../src/core/errors.js';
import {
  ParallelTaskError,
  closeSharedWorkerPools,
  createWorkerPool,
  getSharedWorkerPool,
  inThreadBackend,
  parallelMap,
  type TaskRef,
} from '../../src/parallel/index.js';
import { liveWorkerCount, nodeWorkerBackend } from '../../src/node/workers.js';
import { createRng, normal, poisson } from '../../src/random/index.js';

const TASKS = new URL('./tasks.ts', import.meta.url).href;
const task = (fn: string): TaskRef => ({ module: TASKS, fn });

afterAll(async () => {
  await closeSharedWorkerPools();
});

describe('createWorkerPool (worker_threads)', () => {
  it('the same worker threads serve two consecutive maps, with warm module state', async () => {
    const pool = createWorkerPool({ workers: 2 });
    try {
      expect(pool.backend).toBe(nodeWorkerBackend);
      expect(pool.size).toBe(0); // started lazily
      const first = await pool.map<number, number>(task('busyThread'), new Array(8).fill(40), {
        chunkSize: 1,
      });
      const second = await pool.map<number, number>(task('busyThread'), new Array(8).fill(40), {
        chunkSize: 1,
      });
      const t1 = new Set(first);
      const t2 = new Set(second);
      expect(t1.size).toBe(2);
      expect(t1.has(threadId)).toBe(false);
      expect([...t2].sort()).toEqual([...t1].sort());
      expect(pool.size).toBe(2);
      expect(liveWorkerCount()).toBe(2);
      // one worker: its module-level counter goes on from the first map to the next
      const c1 = await pool.map<number, number>(task('callCount'), [0, 0, 0], { workers: 1 });
      const c2 = await pool.map<number, number>(task('callCount'), [0, 0], { workers: 1 });
      expect(c2[0]).toBe(c1[2]! + 1);
    } finally {
      await pool.close();
    }
    expect(pool.closed).toBe(true);
    expect(liveWorkerCount()).toBe(0);
  });

  it('keeps parallelMap’s guarantees: order, per-item streams, progress', async () => {
    const pool = createWorkerPool({ workers: 2 });
    try {
      const items = Array.from({ length: 300 }, (_, i) => ({ mean: i % 2 ? 3.5 : 250 }));
      const progress: number[] = [];
      const out = await pool.map(task('simulatePixel'), items, {
        seed: 7,
        chunkSize: 13,
        onProgress: (done, total) => {
          expect(total).toBe(300);
          progress.push(done);
        },
      });
      const root = createRng(7);
      const expected = items.map((item, index) => {
        const rng = root.split(index);
        return { index, counts: poisson(rng, item.mean), noise: normal(rng, 0, 1), u: rng.next() };
      });
      expect(out).toEqual(expected);
      expect(progress.length).toBe(Math.ceil(300 / 13));
      for (let i = 1; i < progress.length; i++)
        expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
      expect(progress[progress.length - 1]).toBe(300);
      // again on the warm workers, another chunk size: identical
      expect(await pool.map(task('simulatePixel'), items, { seed: 7, chunkSize: 50 })).toEqual(
        expected,
      );
      // two maps at once share the workers and both come back right
      const [sq, px] = await Promise.all([
        pool.map<number, number>(task('square'), [1, 2, 3, 4, 5, 6], { chunkSize: 1 }),
        pool.map(task('simulatePixel'), items.slice(0, 20), { seed: 7, chunkSize: 3 }),
      ]);
      expect(sq).toEqual([1, 4, 9, 16, 25, 36]);
      expect(px).toEqual(expected.slice(0, 20));
    } finally {
      await pool.close();
    }
  });

  it('cancellation terminates the busy workers, then the pool serves the next map', async () => {
    const pool = createWorkerPool({ workers: 2 });
    try {
      const warm = new Set(
        await pool.map<number, number>(task('busyThread'), new Array(6).fill(30), { chunkSize: 1 }),
      );
      expect(warm.size).toBe(2);
      const ac = new AbortController();
      let last = 0;
      const err = await pool
        .map(task('busy'), new Array(200).fill(20), {
          chunkSize: 1,
          signal: ac.signal,
          onProgress: (done) => {
            last = done;
            if (done === 3) ac.abort();
          },
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect(err.message).toMatch(/cancelled after 3 of 200 items/);
      expect(last).toBe(3);
      // the worker still busy with an item was terminated, the idle one kept
      expect(pool.size).toBe(1);
      expect(liveWorkerCount()).toBe(1);
      const after = await pool.map<number, number>(task('busyThread'), new Array(6).fill(30), {
        chunkSize: 1,
      });
      const threads = new Set(after);
      expect(threads.size).toBe(2);
      expect([...threads].filter((t) => warm.has(t)).length).toBe(1); // one kept, one new
      expect(await pool.map(task('square'), [2, 3], {})).toEqual([4, 9]);
      await expect(pool.map(task('square'), [1], { signal: ac.signal })).rejects.toBeInstanceOf(
        CancelledError,
      );
    } finally {
      await pool.close();
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it('a task error names the item; a crashed worker is replaced', async () => {
    const pool = createWorkerPool({ workers: 2 });
    try {
      const items = Array.from({ length: 100 }, (_, i) => (i === 61 ? -1 : i));
      const err = await pool.map(task('failOnNegative'), items, { chunkSize: 8 }).catch((e) => e);
      expect(err).toBeInstanceOf(ParallelTaskError);
      expect(err.index).toBe(61);
      expect(err.message).toContain('item 61');
      expect(await pool.map(task('square'), [1, 2, 3], { chunkSize: 1 })).toEqual([1, 4, 9]);
      const crash = await pool.map(task('exitThread'), [1], {}).catch((e) => e);
      expect(crash).toBeInstanceOf(ParallelTaskError);
      expect(crash.index).toBeNull();
      expect(crash.message).toMatch(/worker .* failed: worker thread stopped unexpectedly/);
      expect(await pool.map(task('square'), [4, 5, 6, 7], { chunkSize: 1 })).toEqual([
        16, 25, 36, 49,
      ]);
      expect(pool.size).toBeLessThanOrEqual(2);
      const missing = await pool.map(task('notAFunction'), [1], {}).catch((e) => e);
      expect(missing).toBeInstanceOf(InvalidInputError);
      expect(missing.message).toMatch(/no exported function "notAFunction"/);
    } finally {
      await pool.close();
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it('close() rejects a running map with CancelledError; a closed pool refuses work', async () => {
    const pool = createWorkerPool({ workers: 2 });
    const running = pool.map(task('busy'), new Array(50).fill(20), { chunkSize: 1 });
    const settled = running.catch((e) => e);
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    expect(await settled).toBeInstanceOf(CancelledError);
    expect(liveWorkerCount()).toBe(0);
    await expect(pool.map(task('square'), [1])).rejects.toThrow(/closed/);
  });

  it('rejects bad arguments', async () => {
    expect(() => createWorkerPool({ workers: 0 })).toThrow(InvalidInputError);
    expect(() => createWorkerPool({ workers: 1.5 })).toThrow(/workers/);
    const pool = createWorkerPool({ workers: 1 });
    await expect(pool.map(task('square'), [1], { workers: 0 })).rejects.toThrow(/workers/);
    await expect(pool.map({ module: '', fn: 'x' }, [1])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(pool.map(task('square'), [1], { seed: 0.5 })).rejects.toThrow(/seed/);
    expect(await pool.map(task('square'), [])).toEqual([]);
    expect(pool.size).toBe(0);
    await pool.close();
  });

  it('in-thread pool runs in the calling thread', async () => {
    const pool = createWorkerPool({ backend: inThreadBackend, workers: 4 });
    expect(pool.maxWorkers).toBe(1);
    expect(await pool.map(task('whereAmI'), [1, 2, 3])).toEqual([threadId, threadId, threadId]);
    await pool.close();
  });
});

describe('parallelMap with keepAlive (shared pool)', () => {
  it('reuses the shared pool’s workers across calls and gives the same results', async () => {
    const items = new Array(8).fill(40);
    const a = await parallelMap<number, number>(task('busyThread'), items, {
      workers: 2,
      chunkSize: 1,
      keepAlive: true,
    });
    const b = await parallelMap<number, number>(task('busyThread'), items, {
      workers: 2,
      chunkSize: 1,
      keepAlive: true,
    });
    expect(new Set(a).size).toBe(2);
    expect([...new Set(b)].sort()).toEqual([...new Set(a)].sort());
    expect(getSharedWorkerPool().size).toBe(2);
    const px = Array.from({ length: 50 }, (_, i) => ({ mean: 2 + i }));
    const pooled = await parallelMap(task('simulatePixel'), px, { seed: 3, keepAlive: true });
    const fresh = await parallelMap(task('simulatePixel'), px, { seed: 3, workers: 2 });
    const inThread = await parallelMap(task('simulatePixel'), px, { seed: 3, workers: 0 });
    expect(pooled).toEqual(inThread);
    expect(fresh).toEqual(inThread);
    await closeSharedWorkerPools();
    expect(liveWorkerCount()).toBe(0);
    expect(getSharedWorkerPool().closed).toBe(false); // a new one on demand
  });
});

describe('no leaked workers with a persistent pool', () => {
  it('a script with idle pool workers exits on its own; a running map keeps it alive', () => {
    const script = fileURLToPath(new URL('./pool-exit-script.ts', import.meta.url));
    const res = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.error, String(res.error)).toBeUndefined();
    expect(res.stderr).not.toMatch(/Error|Warning/);
    expect(res.status).toBe(0);
    // 2 pool workers + 2 shared-pool workers, all idle at the end
    expect(res.stdout.trim()).toBe('ok 1 4 9 workers live 4');
  });
});
