/**
 * A progress bar on stderr for long work (cli-progress). Silent when stderr is not a terminal,
 * when quiet, and for work that finishes within about a second.
 */
import cliProgress from 'cli-progress';

/** The part of a stream the progress bar needs (process.stderr in the CLI). */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** What is being done, shown before the bar: `simulating`, `fitting 12 decays`. */
  label: string;
  /** Number of work units (can also be given with each update). */
  total?: number;
  /** No output at all. */
  quiet?: boolean;
  /** Where to draw (default process.stderr). Nothing is drawn unless `stream.isTTY`. */
  stream?: ProgressStream;
  /** Show the bar only once the work has run this long (default 1000 ms). */
  delayMs?: number;
  /** Clock in ms (default Date.now); for tests. */
  now?: () => number;
}

/**
 * A progress reporter: call it as `onProgress(done, total)` (or use `update`/`increment`), and
 * `stop()` when the work is over.
 */
export interface ProgressReporter {
  (done: number, total?: number): void;
  update(done: number, total?: number): void;
  increment(step?: number): void;
  stop(): void;
  /** True if the bar can be drawn at all (terminal and not quiet). */
  readonly enabled: boolean;
  /** True once the bar has been drawn. */
  readonly shown: boolean;
}

/**
 * Create a progress reporter for work of `total` units. The bar appears on stderr only if it is a
 * terminal, `quiet` is false, and the work is still running after `delayMs` (so quick jobs print
 * nothing). The reporter is itself an `onProgress(done, total)` callback.
 *
 * @example
 * const progress = createProgress({ label: 'simulating', total: 100, quiet: opts.quiet });
 * const result = await runDemo({ seed: 1, onProgress: progress });
 * progress.stop();
 */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? 1000;
  const enabled = !options.quiet && stream.isTTY === true;
  const t0 = now();
  let total = options.total ?? 0;
  let done = 0;
  let bar: cliProgress.SingleBar | null = null;
  let stopped = false;

  const update = (d: number, t?: number): void => {
    if (stopped) return;
    if (t !== undefined && Number.isFinite(t) && t > 0) total = t;
    if (Number.isFinite(d)) done = d;
    if (!enabled) return;
    if (!bar) {
      if (now() - t0 < delay || (total > 0 && done >= total)) return;
      bar = new cliProgress.SingleBar(
        {
          stream: stream as unknown as NodeJS.WritableStream,
          format: `${options.label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 20,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), done);
      return;
    }
    if (total > 0) bar.setTotal(total);
    bar.update(done);
  };

  const reporter = ((d: number, t?: number) => update(d, t)) as ProgressReporter;
  Object.defineProperties(reporter, {
    update: { value: update },
    increment: { value: (step = 1) => update(done + step) },
    stop: {
      value: () => {
        if (stopped) return;
        stopped = true;
        if (bar) bar.stop();
      },
    },
    enabled: { get: () => enabled },
    shown: { get: () => bar !== null },
  });
  return reporter;
}
