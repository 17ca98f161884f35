/**
 * What every CLI command gets: where to print, the global options, warnings and progress.
 */
import type { Command } from 'commander';
import { type ProgressReporter, type ProgressStream, createProgress } from '../node/progress.js';

/** Options that every command accepts (declared once on the program). */
export interface GlobalOptions {
  /** Print machine-readable JSON on stdout instead of tables. */
  json: boolean;
  /** Directory for output files. */
  out?: string;
  /** No progress bars and no warnings. */
  quiet: boolean;
  /** Print stack traces of unexpected errors. */
  debug: boolean;
}

/** Output streams of a CLI run (process.stdout / process.stderr, or buffers in tests). */
export interface CliStreams {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** Shared services for commands. */
export interface CliContext {
  /** Write text to stdout (results: tables, JSON). */
  out(text: string): void;
  /** Write text to stderr (progress, warnings, errors). */
  err(text: string): void;
  /** The global options as seen by a command. */
  globals(command: Command): GlobalOptions;
  /** Print `nanolum: warning: ...` on stderr unless --quiet. */
  warn(command: Command, message: string): void;
  /** A progress bar on stderr (silent unless a terminal and not --quiet). */
  progress(command: Command, label: string, total?: number): ProgressReporter;
  /** Print a JSON value on stdout, one document, with typed arrays as arrays and NaN/Infinity as null. */
  json(value: unknown): void;
}

/**
 * Turn a value into plain JSON text: typed arrays become arrays, non-finite numbers `null`.
 *
 * @example
 * toJsonText({ a: Float64Array.of(1, NaN) }); // '{\n  "a": [\n    1,\n    null\n  ]\n}'
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView))
        return Array.from(v as unknown as ArrayLike<number>);
      return v;
    },
    2,
  );
}

/**
 * Build the context for one CLI run.
 *
 * @example
 * const ctx = createContext({ stdout: process.stdout, stderr: process.stderr });
 */
export function createContext(streams: CliStreams): CliContext {
  const globals = (command: Command): GlobalOptions => {
    const o = command.optsWithGlobals() as Partial<GlobalOptions>;
    return { json: o.json === true, out: o.out, quiet: o.quiet === true, debug: o.debug === true };
  };
  return {
    out: (text) => void streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void streams.stderr.write(text),
    globals,
    warn(command, message) {
      if (!globals(command).quiet) streams.stderr.write(`nanolum: warning: ${message}\n`);
    },
    progress(command, label, total) {
      return createProgress({
        label,
        total,
        quiet: globals(command).quiet,
        stream: streams.stderr,
      });
    },
    json(value) {
      streams.stdout.write(`${toJsonText(value)}\n`);
    },
  };
}
