/**
 * Transient PL microscopy (TPLM) cubes from delimited text: PL(x, t) or PL(x, y, t) as a
 * `CalibratedArray` with axes `time` (ns) then `x` (and `y`) in the file's length unit.
 *
 * Layouts:
 * - `matrix`: first row = positions, first column = times, the rest PL counts (one row per time
 *   bin); the top-left cell may hold a label with units, e.g. `t(ns)\x(um)`.
 * - `long`: one row per value with a header naming the columns: time (`t`, `time`), position
 *   (`x`, `position`), optional `y`, and the value (`counts`, `pl`, `intensity`, `value`).
 * - a stack of per-position decays: `cubeFromDecays` (each decay a 1-D calibrated array).
 * HDF5 cubes are not read here (no HDF5 dependency in the core); export them to text.
 */
import { DataFormatError, InvalidInputError } from '../core/errors.js';
import { type Axis, axisValues, coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';

export type TplmLayout = 'auto' | 'matrix' | 'long';

export interface ReadTplmOptions {
  /** File name for messages. */
  fileName?: string;
  layout?: TplmLayout;
  /** Unit of the time values in the file (default from the header, else `ns`). `ps`, `ns`, `us` are converted to ns. */
  timeUnit?: 'ps' | 'ns' | 'us';
  /** Unit of the positions (default from the header, else `um`): `nm`, `um` or `sites`. */
  positionUnit?: 'nm' | 'um' | 'sites';
}

const TIME_SCALE: Record<string, number> = { ps: 1e-3, ns: 1, us: 1e3, 'µs': 1e3 };

function splitRow(line: string, delim: RegExp): string[] {
  return line.trim().split(delim).map((s) => s.trim());
}

function detectDelimiter(lines: string[]): RegExp {
  const sample = lines.slice(0, 5).join('\n');
  if (sample.includes('\t')) return /\t/;
  if (sample.includes(';')) return /;/;
  if (sample.includes(',')) return /,/;
  return /\s+/;
}

function unitsFromText(text: string): { time?: 'ps' | 'ns' | 'us'; position?: 'nm' | 'um' | 'sites' } {
  const t = text.toLowerCase();
  const out: { time?: 'ps' | 'ns' | 'us'; position?: 'nm' | 'um' | 'sites' } = {};
  const tm = /\b(ps|ns|us|µs)\b/.exec(t);
  if (tm) out.time = tm[1] === 'µs' ? 'us' : (tm[1] as 'ps' | 'ns' | 'us');
  const pm = /\b(nm|um|µm|sites?)\b/.exec(t.replace(/\b(ps|ns|us|µs)\b/g, ''));
  if (pm) out.position = pm[1] === 'µm' ? 'um' : pm[1].startsWith('site') ? 'sites' : (pm[1] as 'nm' | 'um');
  return out;
}

function num(s: string, file: string | undefined, row: number, column: number): number {
  const v = Number(s);
  if (s === '' || !Number.isFinite(v)) {
    throw new DataFormatError(`"${s}" is not a number`, { file, row, column });
  }
  return v;
}

function contentLines(text: string): Array<{ line: string; row: number }> {
  const out: Array<{ line: string; row: number }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('%')) return;
    out.push({ line: t, row: i + 1 });
  });
  return out;
}

/**
 * Read a TPLM cube from delimited text (matrix or long layout, auto-detected).
 *
 * @example
 * const cube = readTplmText('t(ns)\\x(um),-1,0,1\n0,5,20,5\n0.025,6,18,6\n');
 * cube.axes.map((a) => a.name); // ['time', 'x']
 */
export function readTplmText(text: string, options: ReadTplmOptions = {}): CalibratedArray<Float64Array> {
  const file = options.fileName;
  const rows = contentLines(text);
  if (rows.length < 2) throw new DataFormatError('a TPLM file needs a header row and at least one data row', { file });
  const delim = detectDelimiter(rows.map((r) => r.line));
  const header = splitRow(rows[0].line, delim);
  const headerNumeric = header.slice(1).every((c) => c !== '' && Number.isFinite(Number(c)));
  let layout = options.layout ?? 'auto';
  if (layout === 'auto') layout = headerNumeric ? 'matrix' : 'long';
  const units = unitsFromText(layout === 'matrix' ? header[0] : header.join(' '));
  const timeUnit = options.timeUnit ?? units.time ?? 'ns';
  const positionUnit = options.positionUnit ?? units.position ?? 'um';
  const tScale = TIME_SCALE[timeUnit];
  if (tScale === undefined) throw new InvalidInputError(`unknown time unit "${timeUnit}"; use ps, ns or us`);
  return layout === 'matrix'
    ? readMatrix(rows, delim, header, tScale, positionUnit, file)
    : readLong(rows, delim, header, tScale, positionUnit, file);
}

function readMatrix(
  rows: Array<{ line: string; row: number }>,
  delim: RegExp,
  header: string[],
  tScale: number,
  positionUnit: string,
  file: string | undefined,
): CalibratedArray<Float64Array> {
  const nx = header.length - 1;
  if (nx < 3) throw new DataFormatError(`the first row has ${nx} positions; a profile needs at least 3`, { file, row: rows[0].row });
  const x = header.slice(1).map((c, j) => num(c, file, rows[0].row, j + 2));
  const times: number[] = [];
  const data: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const cells = splitRow(rows[i].line, delim);
    if (cells.length !== nx + 1) {
      throw new DataFormatError(`expected ${nx + 1} columns (time + ${nx} positions), found ${cells.length}`, { file, row: rows[i].row });
    }
    times.push(num(cells[0], file, rows[i].row, 1) * tScale);
    for (let j = 1; j <= nx; j++) data.push(num(cells[j], file, rows[i].row, j + 1));
  }
  checkIncreasing(times, 'time', file);
  checkIncreasing(x, 'position', file);
  return calibrated(Float64Array.from(data), [coordinateAxis('time', 'ns', times), coordinateAxis('x', positionUnit, x)], {
    unit: 'counts',
    name: 'PL intensity',
    metadata: { source: file ?? 'text', layout: 'matrix' },
  });
}

function checkIncreasing(v: number[], what: string, file: string | undefined): void {
  for (let i = 1; i < v.length; i++) {
    if (!(v[i] > v[i - 1])) throw new DataFormatError(`${what} values must increase; value ${i + 1} (${v[i]}) is not above ${v[i - 1]}`, { file });
  }
}

function findColumn(header: string[], names: string[]): number {
  const h = header.map((c) => c.toLowerCase().replace(/[([].*$/, '').replace(/_(ps|ns|us|nm|um)$/, '').trim());
  for (const n of names) {
    const i = h.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

function readLong(
  rows: Array<{ line: string; row: number }>,
  delim: RegExp,
  header: string[],
  tScale: number,
  positionUnit: string,
  file: string | undefined,
): CalibratedArray<Float64Array> {
  const it = findColumn(header, ['t', 'time', 'delay']);
  const ix = findColumn(header, ['x', 'position', 'pos']);
  const iy = findColumn(header, ['y']);
  const iv = findColumn(header, ['counts', 'count', 'pl', 'intensity', 'value', 'signal']);
  if (it < 0 || ix < 0 || iv < 0) {
    throw new DataFormatError(
      `long layout needs columns for time (t/time), position (x) and value (counts/pl/intensity); header is "${header.join(', ')}"`,
      { file, row: rows[0].row },
    );
  }
  const key = (v: number): string => v.toPrecision(12);
  const tSet = new Map<string, number>();
  const xSet = new Map<string, number>();
  const ySet = new Map<string, number>();
  const recs: Array<[number, number, number, number]> = [];
  for (let i = 1; i < rows.length; i++) {
    const cells = splitRow(rows[i].line, delim);
    if (cells.length < header.length) throw new DataFormatError(`expected ${header.length} columns, found ${cells.length}`, { file, row: rows[i].row });
    const t = num(cells[it], file, rows[i].row, it + 1) * tScale;
    const x = num(cells[ix], file, rows[i].row, ix + 1);
    const y = iy >= 0 ? num(cells[iy], file, rows[i].row, iy + 1) : 0;
    const v = num(cells[iv], file, rows[i].row, iv + 1);
    tSet.set(key(t), t);
    xSet.set(key(x), x);
    ySet.set(key(y), y);
    recs.push([t, x, y, v]);
  }
  const ts = [...tSet.values()].sort((a, b) => a - b);
  const xs = [...xSet.values()].sort((a, b) => a - b);
  const ys = [...ySet.values()].sort((a, b) => a - b);
  const ti = new Map(ts.map((v, i) => [key(v), i]));
  const xi = new Map(xs.map((v, i) => [key(v), i]));
  const yi = new Map(ys.map((v, i) => [key(v), i]));
  const twoD = iy >= 0;
  const ny = twoD ? ys.length : 1;
  const n = ts.length * xs.length * ny;
  if (recs.length !== n) {
    throw new DataFormatError(
      `long layout: ${recs.length} rows do not fill the grid of ${ts.length} times x ${xs.length} x-positions${twoD ? ` x ${ys.length} y-positions` : ''} (${n} values); every (time, position) needs exactly one row`,
      { file },
    );
  }
  const data = new Float64Array(n);
  const seen = new Uint8Array(n);
  for (const [t, x, y, v] of recs) {
    const k = ((ti.get(key(t)) as number) * xs.length + (xi.get(key(x)) as number)) * ny + (twoD ? (yi.get(key(y)) as number) : 0);
    if (seen[k]) throw new DataFormatError(`long layout: time ${t} ns, x ${x}${twoD ? `, y ${y}` : ''} appears twice`, { file });
    seen[k] = 1;
    data[k] = v;
  }
  const axes: Axis[] = [coordinateAxis('time', 'ns', ts), coordinateAxis('x', positionUnit, xs)];
  if (twoD) axes.push(coordinateAxis('y', positionUnit, ys));
  return calibrated(data, axes, { unit: 'counts', name: 'PL intensity', metadata: { source: file ?? 'text', layout: 'long' } });
}

/**
 * Build a PL(x, t) cube from per-position decays (e.g. one TCSPC histogram per detector
 * position). All decays must share the same time axis.
 *
 * @example
 * const cube = cubeFromDecays([{ position: -0.5, decay: d1 }, { position: 0, decay: d2 }, { position: 0.5, decay: d3 }], { positionUnit: 'um' });
 */
export function cubeFromDecays(
  decays: Array<{ position: number; decay: CalibratedArray }>,
  options: { positionUnit?: 'nm' | 'um' | 'sites' } = {},
): CalibratedArray<Float64Array> {
  if (decays.length < 3) throw new InvalidInputError(`need at least 3 per-position decays for a profile, got ${decays.length}`);
  const sorted = [...decays].sort((a, b) => a.position - b.position);
  const first = sorted[0].decay;
  if (first.axes.length !== 1) throw new InvalidInputError('each decay must be 1-D (a time axis)');
  const tAxis = first.axes[0];
  const tScale = TIME_SCALE[tAxis.unit] ?? (tAxis.unit === '' ? 1 : undefined);
  if (tScale === undefined) throw new InvalidInputError(`decay time axis unit "${tAxis.unit}" is not ps, ns or us`);
  const t = Array.from(axisValues(tAxis), (v) => v * tScale);
  const nt = t.length;
  const nx = sorted.length;
  const data = new Float64Array(nt * nx);
  sorted.forEach((d, j) => {
    if (d.decay.axes.length !== 1 || d.decay.axes[0].size !== nt) {
      throw new InvalidInputError(`decay at position ${d.position} has ${d.decay.data.length} bins; the first has ${nt}`);
    }
    const tv = axisValues(d.decay.axes[0]);
    for (let i = 0; i < nt; i++) {
      if (Math.abs(tv[i] * tScale - t[i]) > 1e-9 * Math.max(1, Math.abs(t[i]))) {
        throw new InvalidInputError(`decay at position ${d.position} has a different time axis (bin ${i}: ${tv[i]} vs ${t[i]})`);
      }
      data[i * nx + j] = d.decay.data[i];
    }
    if (j > 0 && !(d.position > sorted[j - 1].position)) throw new InvalidInputError(`position ${d.position} appears twice`);
  });
  return calibrated(data, [coordinateAxis('time', 'ns', t), coordinateAxis('x', options.positionUnit ?? 'um', sorted.map((d) => d.position))], {
    unit: first.unit || 'counts',
    name: 'PL intensity',
    metadata: { source: 'per-position decays' },
  });
}
