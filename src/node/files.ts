/**
 * Node file adapters: read input files with their hash, write output files atomically, and never
 * write over an input of the same run.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import type { InputRecord } from '../core/provenance.js';

/** An input file read into memory, with its SHA-256 for provenance. */
export interface InputFile {
  /** File name without the directory, e.g. `decay.csv`. */
  name: string;
  /** Absolute path. */
  path: string;
  bytes: Uint8Array;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
}

/**
 * The provenance record of an input file (name, size, SHA-256).
 *
 * @example
 * provenance('fit', params, { inputs: [recordOf(file)] });
 */
export function recordOf(file: InputFile): InputRecord {
  return { name: file.name, bytes: file.bytes.byteLength, sha256: file.sha256 };
}

/** Absolute paths of the files read with `readInputFile` in this process (this run's inputs). */
const runInputs = new Set<string>();

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

function fileProblem(path: string, e: unknown, action: string): InvalidInputError {
  const code = errnoOf(e);
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOTDIR'
            ? 'a part of the path is not a directory'
            : code === 'ENOSPC'
              ? 'no space left on the device'
              : code === 'EROFS'
                ? 'the file system is read-only'
                : e instanceof Error
                  ? e.message
                  : String(e);
  return new InvalidInputError(`cannot ${action} "${path}": ${why}`);
}

/** Path as a canonical absolute path (symlinks resolved where the file exists). */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Read an input file whole, with its SHA-256, and remember it as an input of this run (so that
 * `writeFileAtomic` refuses to overwrite it). Missing files, directories and unreadable files
 * give an `InvalidInputError` naming the path.
 *
 * @example
 * const { name, bytes, sha256 } = await readInputFile('decay.csv');
 * const table = readTable(bytes, { fileName: name });
 */
export async function readInputFile(path: string): Promise<InputFile> {
  let bytes: Uint8Array;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const buf = await readFile(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw fileProblem(path, e, 'read');
  }
  const abs = canonical(path);
  runInputs.add(abs);
  return {
    name: basename(path),
    path: abs,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/**
 * Mark files as inputs of this run without reading them (e.g. read elsewhere).
 *
 * @example
 * registerInputFile('raw/decay.spc');
 */
export function registerInputFile(path: string): void {
  runInputs.add(canonical(path));
}

/**
 * The canonical paths of this run's input files.
 *
 * @example
 * inputFilesOfRun(); // ['/data/decay.csv']
 */
export function inputFilesOfRun(): string[] {
  return [...runInputs];
}

/**
 * Forget the recorded inputs (for tests and long-running processes that start a new run).
 *
 * @example
 * clearInputFiles();
 */
export function clearInputFiles(): void {
  runInputs.clear();
}

function sameFile(a: string, b: string): boolean {
  if (canonical(a) === canonical(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Throw an `InvalidInputError` if `outPath` is one of this run's input files (as recorded by
 * `readInputFile`) or of `inputs`, comparing canonical paths and inodes (so symlinks and hard
 * links are caught too).
 *
 * @example
 * assertNotInput('out/fit.csv', ['data/fit.csv']);
 */
export function assertNotInput(outPath: string, inputs: Iterable<string> = []): void {
  for (const input of [...runInputs, ...inputs]) {
    if (sameFile(outPath, input)) {
      throw new InvalidInputError(
        `refusing to write "${outPath}": it is an input file of this run (${input}); choose another --out directory`,
      );
    }
  }
}

/**
 * Create a directory and its parents if missing. An existing file in the way is an
 * `InvalidInputError`.
 *
 * @example
 * await ensureDir('results/run1');
 */
export async function ensureDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new InvalidInputError(
        `cannot create directory "${path}": a file of that name is in the way`,
      );
    }
    throw fileProblem(path, e, 'create directory');
  }
  const s = await stat(path);
  if (!s.isDirectory())
    throw new InvalidInputError(
      `cannot create directory "${path}": a file of that name is in the way`,
    );
}

export interface WriteAtomicOptions {
  /** Further input paths not to overwrite, besides those read with `readInputFile`. */
  inputs?: Iterable<string>;
}

/**
 * Write a file so that readers (and an interrupted run) see either the old or the complete new
 * content, never half: write a temporary file in the same directory, fsync it, rename it over
 * the target, fsync the directory. Refuses to overwrite an input file of this run. The
 * directory must exist (see `ensureDir`).
 *
 * @example
 * await writeFileAtomic('out/fit.json', JSON.stringify(result, null, 2));
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteAtomicOptions = {},
): Promise<void> {
  assertNotInput(path, options.inputs);
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error(''), { code: 'EISDIR' });
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw fileProblem(path, e, 'write');
  }
  const dir = dirname(resolve(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw fileProblem(path, e, 'write');
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsynced on every platform; the rename is still atomic */
  }
}

/**
 * Write several output files into `dir` (created if missing), each atomically, after checking
 * that none of them is an input file of the run - if one is, nothing at all is written.
 * Returns the paths written, in order.
 *
 * @example
 * await writeOutputs('results', { 'fit.json': json, 'fit.csv': csv });
 */
export async function writeOutputs(
  dir: string,
  files: Record<string, string | Uint8Array>,
): Promise<string[]> {
  const paths = Object.keys(files).map((name) => join(dir, name));
  for (const p of paths) assertNotInput(p);
  await ensureDir(dir);
  for (const [name, data] of Object.entries(files)) await writeFileAtomic(join(dir, name), data);
  return paths;
}

/**
 * A results log that grows one line at a time and is flushed to disk after each line, so that
 * an interrupted batch keeps every result written so far: `start` creates (or empties) the file
 * in `dir`, `append` adds a line. Refuses to write over an input file of the run.
 *
 * @example
 * const log = await lineLog('results', 'fits.jsonl');
 * log.append(JSON.stringify(row));
 */
export async function lineLog(
  dir: string,
  name: string,
): Promise<{ path: string; append(line: string): void }> {
  const path = join(dir, name);
  assertNotInput(path);
  await ensureDir(dir);
  await writeFileAtomic(path, '');
  return {
    path,
    append(line: string) {
      try {
        appendFileSync(path, line.endsWith('\n') ? line : `${line}\n`, { flush: true });
      } catch (e) {
        throw fileProblem(path, e, 'write');
      }
    },
  };
}
