/**
 * Shared helpers for CLI commands: reading a table file and parsing `name=value` lists.
 * (Writing output files: `writeOutputs` in src/node/files.ts.)
 */
import { InvalidInputError } from '../core/errors.js';
import { type ReadTableOptions, type Table, readTable } from '../io/table.js';
import { type InputFile, readInputFile } from '../node/files.js';

/**
 * Read a delimited text table from a file (the file is recorded as an input of the run).
 *
 * @example
 * const { file, table } = await loadTable('decay.csv');
 */
export async function loadTable(
  path: string,
  options: ReadTableOptions = {},
): Promise<{ file: InputFile; table: Table }> {
  const file = await readInputFile(path);
  return { file, table: readTable(file.bytes, { ...options, fileName: file.name }) };
}

/**
 * Parse `name=number` pairs separated by commas, semicolons or spaces: `"b1=500,b2=1e-4"`.
 *
 * @example
 * parseAssignments('b1=500, b2=1e-4', '--params'); // { b1: 500, b2: 0.0001 }
 */
export function parseAssignments(text: string, option: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of text.split(/[,;\s]+/).filter((s) => s !== '')) {
    const m = /^([\p{L}_][\p{L}\p{N}_]*)=(.*)$/u.exec(item);
    if (!m)
      throw new InvalidInputError(
        `${option}: "${item}" is not of the form name=value (e.g. ${option} "A=1000,tau=2.5")`,
      );
    const v = m[2].trim() === '' ? NaN : Number(m[2]);
    if (!Number.isFinite(v))
      throw new InvalidInputError(
        `${option}: the value of ${m[1]} ("${m[2]}") is not a finite number`,
      );
    if (m[1] in out) throw new InvalidInputError(`${option}: ${m[1]} is given twice`);
    out[m[1]] = v;
  }
  return out;
}

/**
 * Parse bounds `name=min:max` (either side may be empty or `inf`), separated by commas:
 * `"b2=0:1,b1=0:"`.
 *
 * @example
 * parseBounds('tau=0:10, A=0:'); // { tau: { min: 0, max: 10 }, A: { min: 0 } }
 */
export function parseBounds(
  text: string,
  option = '--bounds',
): Record<string, { min?: number; max?: number }> {
  const out: Record<string, { min?: number; max?: number }> = {};
  for (const item of text.split(/[,;\s]+/).filter((s) => s !== '')) {
    const m = /^([\p{L}_][\p{L}\p{N}_]*)=([^:]*):([^:]*)$/u.exec(item);
    if (!m)
      throw new InvalidInputError(
        `${option}: "${item}" is not of the form name=min:max (e.g. ${option} "tau=0:100")`,
      );
    const side = (s: string, which: string): number | undefined => {
      const t = s.trim().toLowerCase();
      if (t === '' || t === 'inf' || t === '+inf' || t === '-inf') return undefined;
      const v = Number(t);
      if (!Number.isFinite(v))
        throw new InvalidInputError(
          `${option}: the ${which} bound of ${m[1]} ("${s}") is not a number`,
        );
      return v;
    };
    const min = side(m[2], 'lower');
    const max = side(m[3], 'upper');
    if (min !== undefined && max !== undefined && !(min < max)) {
      throw new InvalidInputError(
        `${option}: the bounds of ${m[1]} are empty (${min} is not below ${max})`,
      );
    }
    if (m[1] in out) throw new InvalidInputError(`${option}: ${m[1]} is given twice`);
    out[m[1]] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  return out;
}

/**
 * Split a list of names given as `a,b` and/or repeated options.
 *
 * @example
 * parseNames(['b1,b2', 'c']); // ['b1', 'b2', 'c']
 */
export function parseNames(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/[,;\s]+/)).filter((s) => s !== '');
}

/**
 * A number given on the command line; a clear error names the option.
 *
 * @example
 * parseNumber('0.2', '--gaussian-irf'); // 0.2
 */
export function parseNumber(text: string, option: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) {
    throw new InvalidInputError(`${option}: "${text}" is not a number`);
  }
  return v;
}

/**
 * Parse a time window `start:end` in ns (either side may be empty: open on that side).
 *
 * @example
 * parseTimeWindowNs('1.5:', '--range'); // { startNs: 1.5 }
 */
export function parseTimeWindowNs(
  text: string,
  option: string,
): { startNs?: number; endNs?: number } {
  const m = /^\s*([^:]*):([^:]*)\s*$/.exec(text);
  if (!m) throw new InvalidInputError(`${option} must be "start:end" in ns, got "${text}"`);
  return {
    ...(m[1]!.trim() !== '' ? { startNs: parseNumber(m[1]!, option) } : {}),
    ...(m[2]!.trim() !== '' ? { endNs: parseNumber(m[2]!, option) } : {}),
  };
}
