import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { CancelledError, InvalidInputError } from '../../src/core/errors.js';
import {
  ParallelTaskError,
  getDefaultBackend,
  inThreadBackend,
  parallelMap,
  type TaskRef,
} from '../../src/parallel/index.js';
import { liveWorkerCount, nodeWorkerBackend } from '../../src/node/workers.js';
import { createRng, normal, poisson } from '../../src/random/index.js';

const TASKS = new URL('./tasks.ts', import.meta.url).href;
const task = (fn: string): TaskRef => ({ module: TASKS, fn });

describe('parallelMap in the calling thread (workers 0 or 1)', () => {
  it('returns results in input order', async () => {
    const items = Array.from({ length: 50 }, (_, i) => i - 10);
    for (const workers of [0, 1]) {
      const out = await parallelMap<number, number>(task('square'), items, {
        workers,
        chunkSize: 7,
      });
      expect(out).toEqual(items.map((x) => x * x));
    }
  });

  it('gives item i the stream createRng(seed).split(i)', async () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ mean: 5 + i }));
    const out = await parallelMap(task('simulatePixel'), items, { workers: 1, seed: 42 });
    const root = createRng(42);
    const expected = items.map((item, index) => {
      const rng = root.split(index);
      return { index, counts: poisson(rng, item.mean), noise: normal(rng, 0, 1), u: rng.next() };
    });
    expect(out).toEqual(expected);
  });

  it('rejects with the task message and the item index', async () => {
    const err = await parallelMap(task('failOnNegative'), [4, 9, 1, -2, 3], { workers: 0 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ParallelTaskError);
    expect(err.index).toBe(3);
    expect(err.message).toMatch(/pixel value -2 is negative .*item 3/);
    expect(err.taskError.name).toBe('RangeError');
  });

  it('supports async tasks and cancellation between chunks', async () => {
    expect(await parallelMap(task('delayedSquare'), [1, 2, 3], { workers: 1 })).toEqual([1, 4, 9]);
    const ac = new AbortController();
    const seen: number[] = [];
    const p = parallelMap(task('busy'), new Array(40).fill(2), {
      workers: 1,
      chunkSize: 2,
      signal: ac.signal,
      onProgress: (done) => {
        seen.push(done);
        if (done >= 4) ac.abort();
      },
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toEqual([2, 4]);
  });
});

describe('parallelMap on worker_threads', () => {
  it('registers the Node backend as the default', () => {
    expect(getDefaultBackend()).toBe(nodeWorkerBackend);
  });

  it('returns results in input order with 2 workers', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const out = await parallelMap<number, number>(task('square'), items, {
      workers: 2,
      chunkSize: 37,
    });
    expect(out).toEqual(items.map((x) => x * x));
    expect(liveWorkerCount()).toBe(0);
  });

  it('random results are identical with 1 and 2 workers and any chunk size', async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ mean: i % 2 ? 3.5 : 250 }));
    const one = await parallelMap(task('simulatePixel'), items, { workers: 1, seed: 7 });
    const two = await parallelMap(task('simulatePixel'), items, {
      workers: 2,
      seed: 7,
      chunkSize: 13,
    });
    const twoOther = await parallelMap(task('simulatePixel'), items, {
      workers: 2,
      seed: 7,
      chunkSize: 100,
    });
    expect(two).toEqual(one);
    expect(twoOther).toEqual(one);
    const otherSeed = await parallelMap(task('simulatePixel'), items, { workers: 2, seed: 8 });
    expect(otherSeed).not.toEqual(one);
  });

  it('reports monotonic progress that ends at the total', async () => {
    const calls: Array<[number, number]> = [];
    await parallelMap(
      task('square'),
      Array.from({ length: 103 }, (_, i) => i),
      {
        workers: 2,
        chunkSize: 10,
        onProgress: (done, total) => calls.push([done, total]),
      },
    );
    expect(calls.length).toBe(11);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
    expect(calls.every(([, t]) => t === 103)).toBe(true);
    expect(calls[calls.length - 1]).toEqual([103, 103]);
  });

  it('uses both workers for CPU-bound work (distinct thread ids)', async () => {
    const items = new Array(8).fill(400_000);
    const out = await parallelMap<number, { pi: number; threadId: number }>(
      task('monteCarloPi'),
      items,
      {
        workers: 2,
        chunkSize: 1,
        seed: 3,
      },
    );
    const threads = new Set(out.map((r) => r.threadId));
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
    for (const r of out)
      expect(Math.abs(r.pi - Math.PI)).toBeLessThan(
        5 * Math.sqrt((Math.PI * (4 - Math.PI)) / 400_000),
      );
  });

  it('cancellation terminates the workers and rejects with CancelledError', async () => {
    const ac = new AbortController();
    let last = 0;
    const p = parallelMap(task('busy'), new Array(200).fill(20), {
      workers: 2,
      chunkSize: 1,
      signal: ac.signal,
      onProgress: (done) => {
        last = done;
        if (done === 3) ac.abort();
      },
    });
    const err = await p.catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toMatch(/cancelled after 3 of 200 items/);
    expect(last).toBe(3);
    expect(liveWorkerCount()).toBe(0);
    await expect(
      parallelMap(task('square'), [1], { workers: 2, signal: ac.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it('a task error rejects the whole map with the message and the item index', async () => {
    const items = Array.from({ length: 100 }, (_, i) => (i === 61 ? -1 : i));
    const err = await parallelMap(task('failOnNegative'), items, {
      workers: 2,
      chunkSize: 8,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ParallelTaskError);
    expect(err.index).toBe(61);
    expect(err.message).toContain('pixel value -1 is negative');
    expect(err.message).toContain('item 61');
    expect(err.taskError.stack).toContain('failOnNegative');
    expect(liveWorkerCount()).toBe(0);
  });

  it('sends typed-array items without detaching the caller’s buffer, and returns typed arrays', async () => {
    const cube = Float64Array.from({ length: 6 * 50 }, (_, i) => i);
    const decays = Array.from({ length: 6 }, (_, p) => cube.subarray(p * 50, (p + 1) * 50));
    const out = await parallelMap<
      Float64Array,
      { index: number; doubled: Float64Array; view: Float64Array; length: number }
    >(task('scaleDecay'), decays, { workers: 2, chunkSize: 2 });
    expect(cube.length).toBe(300); // not detached
    expect(cube[299]).toBe(299);
    out.forEach((r, p) => {
      expect(r.index).toBe(p);
      expect(r.doubled).toBeInstanceOf(Float64Array);
      expect(Array.from(r.doubled)).toEqual(Array.from(decays[p]!, (v) => 2 * v));
      expect(Array.from(r.view)).toEqual(Array.from(decays[p]!));
      expect(r.view.buffer.byteLength).toBe(50 * 8); // the view came back on a buffer of its own
    });
    // A typed array of items (one number each) works too.
    const sq = await parallelMap(task('square'), Float32Array.from([1, 2, 3, 4, 5]), {
      workers: 2,
      chunkSize: 2,
    });
    expect(sq).toEqual([1, 4, 9, 16, 25]);
  });

  it('empty input resolves to [] without starting workers', async () => {
    let progress = 0;
    const out = await parallelMap(task('square'), [], { workers: 2, onProgress: () => progress++ });
    expect(out).toEqual([]);
    expect(progress).toBe(0);
  });

  it('explains a missing task function, a missing module and unsendable values', async () => {
    const e1 = await parallelMap(task('notAFunction'), [1, 2], { workers: 2 }).catch((e) => e);
    expect(e1).toBeInstanceOf(InvalidInputError);
    expect(e1.message).toMatch(/no exported function "notAFunction" .*square/);
    const e2 = await parallelMap(
      { module: new URL('./no-such-task.ts', import.meta.url).href, fn: 'f' },
      [1],
      {
        workers: 2,
      },
    ).catch((e) => e);
    expect(e2).toBeInstanceOf(InvalidInputError);
    expect(e2.message).toMatch(/cannot load/);
    const e3 = await parallelMap(task('square'), [() => 1], { workers: 2 }).catch((e) => e);
    expect(e3).toBeInstanceOf(InvalidInputError);
    expect(e3.message).toMatch(/items 0\.\.0 cannot be sent/);
    const e4 = await parallelMap(task('returnsFunction'), [1, 2], { workers: 2 }).catch((e) => e);
    expect(e4).toBeInstanceOf(ParallelTaskError);
    expect(e4.message).toMatch(/cannot be sent back/);
    expect(liveWorkerCount()).toBe(0);
  });

  it('rejects bad arguments', async () => {
    const items = [1, 2];
    await expect(parallelMap({ module: '', fn: 'square' }, items)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(parallelMap(task('square'), items, { workers: -1 })).rejects.toThrow(/workers/);
    await expect(parallelMap(task('square'), items, { workers: 1.5 })).rejects.toThrow(/workers/);
    await expect(parallelMap(task('square'), items, { seed: 0.5 })).rejects.toThrow(/seed/);
    await expect(parallelMap(task('square'), items, { chunkSize: 0 })).rejects.toThrow(/chunkSize/);
    await expect(parallelMap(task('square'), null as never)).rejects.toThrow(/items/);
  });

  it('in-thread backend can be chosen explicitly', async () => {
    const out = await parallelMap(task('whereAmI'), [1, 2, 3], {
      backend: inThreadBackend,
      workers: 4,
    });
    expect(out).toEqual([threadId, threadId, threadId]);
  });
});

describe('no leaked workers', () => {
  it('a script that maps, fails and cancels still exits on its own', () => {
    const script = fileURLToPath(new URL('./exit-script.ts', import.meta.url));
    const res = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.error, String(res.error)).toBeUndefined();
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe('ok 0 1 4 9 error item 2 cancelled');
  });
});
