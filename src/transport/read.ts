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
 * - HDF5 (`.h5`, `.hdf5`, HyperSpy `.hspy`): `readTplmHdf5`, see there for the accepted layouts.
 */
import { DataFormatError, InvalidInputError } from '../core/errors.js';
import { type Axis, axisValues, coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import {
  type Hdf5DatasetNode,
  type Hdf5File,
  type Hdf5Node,
  hdf5SignalPaths,
  readHdf5,
  resolveSignalPath,
} from '../io/hdf5.js';

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

const TIME_SCALE: Record<string, number> = { ps: 1e-3, ns: 1, us: 1e3, µs: 1e3 };

function splitRow(line: string, delim: RegExp): string[] {
  return line
    .trim()
    .split(delim)
    .map((s) => s.trim());
}

function detectDelimiter(lines: string[]): RegExp {
  const sample = lines.slice(0, 5).join('\n');
  if (sample.includes('\t')) return /\t/;
  if (sample.includes(';')) return /;/;
  if (sample.includes(',')) return /,/;
  return /\s+/;
}

function unitsFromText(text: string): {
  time?: 'ps' | 'ns' | 'us';
  position?: 'nm' | 'um' | 'sites';
} {
  const t = text.toLowerCase();
  const out: { time?: 'ps' | 'ns' | 'us'; position?: 'nm' | 'um' | 'sites' } = {};
  const tm = /\b(ps|ns|us|µs)\b/.exec(t);
  if (tm) out.time = tm[1] === 'µs' ? 'us' : (tm[1] as 'ps' | 'ns' | 'us');
  const pm = /\b(nm|um|µm|sites?)\b/.exec(t.replace(/\b(ps|ns|us|µs)\b/g, ''));
  if (pm)
    out.position =
      pm[1] === 'µm' ? 'um' : pm[1].startsWith('site') ? 'sites' : (pm[1] as 'nm' | 'um');
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
export function readTplmText(
  text: string,
  options: ReadTplmOptions = {},
): CalibratedArray<Float64Array> {
  const file = options.fileName;
  const rows = contentLines(text);
  if (rows.length < 2)
    throw new DataFormatError('a TPLM file needs a header row and at least one data row', { file });
  const delim = detectDelimiter(rows.map((r) => r.line));
  const header = splitRow(rows[0].line, delim);
  const headerNumeric = header.slice(1).every((c) => c !== '' && Number.isFinite(Number(c)));
  let layout = options.layout ?? 'auto';
  if (layout === 'auto') layout = headerNumeric ? 'matrix' : 'long';
  const units = unitsFromText(layout === 'matrix' ? header[0] : header.join(' '));
  const timeUnit = options.timeUnit ?? units.time ?? 'ns';
  const positionUnit = options.positionUnit ?? units.position ?? 'um';
  const tScale = TIME_SCALE[timeUnit];
  if (tScale === undefined)
    throw new InvalidInputError(`unknown time unit "${timeUnit}"; use ps, ns or us`);
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
  if (nx < 3)
    throw new DataFormatError(`the first row has ${nx} positions; a profile needs at least 3`, {
      file,
      row: rows[0].row,
    });
  const x = header.slice(1).map((c, j) => num(c, file, rows[0].row, j + 2));
  const times: number[] = [];
  const data: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const cells = splitRow(rows[i].line, delim);
    if (cells.length !== nx + 1) {
      throw new DataFormatError(
        `expected ${nx + 1} columns (time + ${nx} positions), found ${cells.length}`,
        { file, row: rows[i].row },
      );
    }
    times.push(num(cells[0], file, rows[i].row, 1) * tScale);
    for (let j = 1; j <= nx; j++) data.push(num(cells[j], file, rows[i].row, j + 1));
  }
  checkIncreasing(times, 'time', file);
  checkIncreasing(x, 'position', file);
  return calibrated(
    Float64Array.from(data),
    [coordinateAxis('time', 'ns', times), coordinateAxis('x', positionUnit, x)],
    {
      unit: 'counts',
      name: 'PL intensity',
      metadata: { source: file ?? 'text', layout: 'matrix' },
    },
  );
}

function checkIncreasing(v: number[], what: string, file: string | undefined): void {
  for (let i = 1; i < v.length; i++) {
    if (!(v[i] > v[i - 1]))
      throw new DataFormatError(
        `${what} values must increase; value ${i + 1} (${v[i]}) is not above ${v[i - 1]}`,
        { file },
      );
  }
}

function findColumn(header: string[], names: string[]): number {
  const h = header.map((c) =>
    c
      .toLowerCase()
      .replace(/[([].*$/, '')
      .replace(/_(ps|ns|us|nm|um)$/, '')
      .trim(),
  );
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
    if (cells.length < header.length)
      throw new DataFormatError(`expected ${header.length} columns, found ${cells.length}`, {
        file,
        row: rows[i].row,
      });
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
    const k =
      ((ti.get(key(t)) as number) * xs.length + (xi.get(key(x)) as number)) * ny +
      (twoD ? (yi.get(key(y)) as number) : 0);
    if (seen[k])
      throw new DataFormatError(
        `long layout: time ${t} ns, x ${x}${twoD ? `, y ${y}` : ''} appears twice`,
        { file },
      );
    seen[k] = 1;
    data[k] = v;
  }
  const axes: Axis[] = [coordinateAxis('time', 'ns', ts), coordinateAxis('x', positionUnit, xs)];
  if (twoD) axes.push(coordinateAxis('y', positionUnit, ys));
  return calibrated(data, axes, {
    unit: 'counts',
    name: 'PL intensity',
    metadata: { source: file ?? 'text', layout: 'long' },
  });
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
  if (decays.length < 3)
    throw new InvalidInputError(
      `need at least 3 per-position decays for a profile, got ${decays.length}`,
    );
  const sorted = [...decays].sort((a, b) => a.position - b.position);
  const first = sorted[0].decay;
  if (first.axes.length !== 1) throw new InvalidInputError('each decay must be 1-D (a time axis)');
  const tAxis = first.axes[0];
  const tScale = TIME_SCALE[tAxis.unit] ?? (tAxis.unit === '' ? 1 : undefined);
  if (tScale === undefined)
    throw new InvalidInputError(`decay time axis unit "${tAxis.unit}" is not ps, ns or us`);
  const t = Array.from(axisValues(tAxis), (v) => v * tScale);
  const nt = t.length;
  const nx = sorted.length;
  const data = new Float64Array(nt * nx);
  sorted.forEach((d, j) => {
    if (d.decay.axes.length !== 1 || d.decay.axes[0].size !== nt) {
      throw new InvalidInputError(
        `decay at position ${d.position} has ${d.decay.data.length} bins; the first has ${nt}`,
      );
    }
    const tv = axisValues(d.decay.axes[0]);
    for (let i = 0; i < nt; i++) {
      if (Math.abs(tv[i] * tScale - t[i]) > 1e-9 * Math.max(1, Math.abs(t[i]))) {
        throw new InvalidInputError(
          `decay at position ${d.position} has a different time axis (bin ${i}: ${tv[i]} vs ${t[i]})`,
        );
      }
      data[i * nx + j] = d.decay.data[i];
    }
    if (j > 0 && !(d.position > sorted[j - 1].position))
      throw new InvalidInputError(`position ${d.position} appears twice`);
  });
  return calibrated(
    data,
    [
      coordinateAxis('time', 'ns', t),
      coordinateAxis(
        'x',
        options.positionUnit ?? 'um',
        sorted.map((d) => d.position),
      ),
    ],
    {
      unit: first.unit || 'counts',
      name: 'PL intensity',
      metadata: { source: 'per-position decays' },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// HDF5

/** Options of `readTplmHdf5`. */
export interface ReadTplmHdf5Options {
  /** File name for messages. */
  fileName?: string;
  /**
   * The PL dataset (or a group holding `data`, or a HyperSpy signal name). Default: the HyperSpy
   * or EMD signal, else a 2-D/3-D dataset called `pl`, `counts`, `intensity`, `data`, `cube`,
   * `signal` or `tplm`, else the largest 2-D/3-D numeric dataset that is not a coordinate vector.
   */
  path?: string;
  /** Which stored dimension is time: its 0-based index, or its axis / coordinate name. Default: found from the calibration. */
  timeAxis?: number | string;
  /** Time unit, overriding the file's (`ps`, `ns`, `us`); default from the file, else ns. */
  timeUnit?: 'ps' | 'ns' | 'us';
  /** Position unit, overriding the file's (`nm`, `um`, `sites`); default from the file, else um. */
  positionUnit?: 'nm' | 'um' | 'sites';
}

const H5_TIME_UNITS: Record<string, number> = {
  fs: 1e-6,
  ps: 1e-3,
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
};
const H5_LENGTH_UNITS: Record<string, { unit: 'nm' | 'um' | 'sites'; factor: number }> = {
  nm: { unit: 'nm', factor: 1 },
  um: { unit: 'um', factor: 1 },
  µm: { unit: 'um', factor: 1 },
  μm: { unit: 'um', factor: 1 },
  micron: { unit: 'um', factor: 1 },
  microns: { unit: 'um', factor: 1 },
  mm: { unit: 'um', factor: 1e3 },
  m: { unit: 'um', factor: 1e6 },
  site: { unit: 'sites', factor: 1 },
  sites: { unit: 'sites', factor: 1 },
};
const TIME_NAME = /^(t|time|times|delay|delays|time[ _]?delay|decay[ _]?time)$/i;
const X_NAME = /^(x|position|positions|pos)$/i;
const Y_NAME = /^y$/i;
const COORD_NAME =
  /^([a-z]+(?:[ _]?delay)?)(?:[ _]?[([]?(fs|ps|ns|us|µs|μs|ms|s|nm|um|µm|μm|mm|sites?)[)\]]?)?$/i;
const PL_NAMES = ['pl', 'counts', 'intensity', 'data', 'cube', 'signal', 'tplm'];

type Role = 'time' | 'x' | 'y';

function roleOfName(name: string): Role | null {
  if (TIME_NAME.test(name)) return 'time';
  if (X_NAME.test(name)) return 'x';
  if (Y_NAME.test(name)) return 'y';
  return null;
}

/** A 1-D coordinate dataset such as `t_ns`, `time`, `x_um`, `y (nm)`. */
interface CoordVector {
  role: Role;
  path: string;
  values: Float64Array;
  unit: string;
}

function attrString(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '_None_') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  return undefined;
}

function coordinateVectors(file: Hdf5File, dataPath: string): CoordVector[] {
  const out: CoordVector[] = [];
  const dir = dataPath.slice(0, Math.max(1, dataPath.lastIndexOf('/')));
  const groups = dir === '/' ? ['/'] : [dir, '/'];
  for (const g of groups) {
    const node = file.get(g);
    if (!node || node.kind !== 'group') continue;
    for (const c of node.children) {
      if (
        c.kind !== 'dataset' ||
        !c.numeric ||
        !c.shape ||
        c.shape.length !== 1 ||
        c.path === dataPath
      )
        continue;
      const m = COORD_NAME.exec(c.name);
      const role = m ? roleOfName(m[1]) : null;
      if (!m || !role || out.some((o) => o.role === role)) continue;
      const unit = (
        m[2] ??
        attrString(c.attributes.units) ??
        attrString(c.attributes.unit) ??
        ''
      ).trim();
      const a = file.dataset(c.path);
      out.push({
        role,
        path: c.path,
        values: Float64Array.from(a.data as ArrayLike<number>),
        unit,
      });
    }
  }
  return out;
}

/** Dimension names stated on the dataset: an `axes`/`dims`/`dimensions` attribute or HDF5 dimension labels. */
function statedDimensionNames(node: Hdf5DatasetNode): Array<string | null> | null {
  for (const key of ['axes', 'dims', 'dimensions', 'axis_names']) {
    const v = node.attributes[key];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    if (typeof v === 'string') return v.split(/[,;\s]+/).filter((x) => x !== '');
  }
  return node.dimensionLabels ?? null;
}

function pickTplmDataset(file: Hdf5File): string {
  const isCube = (p: string): boolean => {
    const n = file.get(p);
    return (
      !!n &&
      n.kind === 'dataset' &&
      n.numeric &&
      !!n.shape &&
      (n.shape.length === 2 || n.shape.length === 3)
    );
  };
  const signals = hdf5SignalPaths(file).filter(isCube);
  const conventional = signals.filter(
    (p) =>
      /\/Experiments\/[^/]+\/data$/.test(p) ||
      (file.get(p.slice(0, p.lastIndexOf('/')) || '/') as Hdf5Node | undefined)?.attributes
        ?.emd_group_type !== undefined,
  );
  if (conventional.length) return conventional[0];
  for (const name of PL_NAMES) {
    const hit = signals.find((p) => (file.get(p) as Hdf5DatasetNode).name.toLowerCase() === name);
    if (hit) return hit;
  }
  if (signals.length) return signals[0];
  const all = file.datasetPaths().map((p) => {
    const n = file.get(p) as Hdf5DatasetNode;
    return `${p} (${n.shape ? n.shape.join(' x ') || 'scalar' : 'empty'} ${n.dtype})`;
  });
  throw new DataFormatError(
    `no 2-D or 3-D numeric dataset to read as PL(t, x[, y]); datasets: ${all.length ? all.join(', ') : 'none'}`,
    { file: file.fileName },
  );
}

interface DimInfo {
  size: number;
  name: string;
  unit: string;
  /** Coordinates from the file's calibration, or null when the dimension is only an index. */
  values: Float64Array | null;
  role: Role | null;
}

/**
 * Read a TPLM cube PL(t, x) or PL(t, x, y) from an HDF5 file's bytes into the `CalibratedArray`
 * that `analyzeTransport` takes: axes `time` (ns) first, then `x` (and `y`) in `um`, `nm` or
 * `sites`, values as Float64Array. The stored dimension order does not matter.
 *
 * Accepted layouts:
 * - HyperSpy (`.hspy`): `Experiments/<name>/data` with `axis-<i>` groups; the time axis is the
 *   one whose `units` is a time unit (fs, ps, ns, us, ms, s) or whose `name` is t/time/delay;
 *   the others are positions (units nm, um/µm, mm, m or sites; names x, y). E.g. data shape
 *   (x, t) with axis-0 `x` / `um` / scale 0.05 and axis-1 `time` / `ps` / scale 25.
 * - Coordinate vectors next to the data (same group, or the root): 1-D datasets named `t`,
 *   `time` or `delay` and `x` (or `position`), optionally `y`, with the unit as a suffix (`t_ns`,
 *   `x_um`, `time_ps`, `y(nm)`) or a `units`/`unit` attribute. Dimensions are matched by an
 *   `axes` (or `dims`) string attribute on the data, e.g. `["t", "x"]`, else by length.
 * - Berkeley EMD or HDF5 dimension scales with the same naming/units rules.
 * When the roles cannot be told apart (e.g. time and x of equal length and no names), give
 * `timeAxis`.
 *
 * @example
 * const cube = await readTplmHdf5(bytes, { fileName: 'scan.h5' });
 * analyzeTransport(cube).dAvgCm2PerS;
 */
export async function readTplmHdf5(
  bytes: Uint8Array,
  options: ReadTplmHdf5Options = {},
): Promise<CalibratedArray<Float64Array>> {
  const fileName = options.fileName ?? 'HDF5 file';
  const file = await readHdf5(bytes, { fileName });
  const path =
    options.path !== undefined ? resolveSignalPath(file, options.path) : pickTplmDataset(file);
  const arr = file.dataset(path);
  const node = file.get(arr.metadata.path as string) as Hdf5DatasetNode;
  const nd = arr.axes.length;
  if (nd !== 2 && nd !== 3) {
    throw new DataFormatError(
      `dataset "${node.path}" has ${nd} dimension(s) (shape ${arr.axes.map((a) => a.size).join(' x ') || 'scalar'}); a TPLM cube needs 2 (t, x) or 3 (t, x, y)`,
      { file: fileName },
    );
  }
  const calibration = arr.metadata.calibration as string;
  const dims: DimInfo[] = arr.axes.map((a: Axis) => {
    const unnamed = /^dim\d+$/.test(a.name);
    const values =
      calibration === 'none' ||
      (unnamed && a.unit === '' && a.scale === 1 && a.offset === 0 && !a.coordinates)
        ? null
        : axisValues(a);
    const unit = a.unit.trim();
    const role: Role | null =
      H5_TIME_UNITS[unit] !== undefined ? 'time' : unnamed ? null : roleOfName(a.name);
    return { size: a.size, name: a.name, unit, values, role };
  });
  // Names stated on the dataset override the calibration's.
  const stated = statedDimensionNames(node);
  const statedRoles: Array<Role | null> = dims.map((_, i) => {
    const s = stated && stated.length === nd ? stated[i] : null;
    return s ? roleOfName(COORD_NAME.exec(s)?.[1] ?? s) : null;
  });
  statedRoles.forEach((r, i) => {
    if (r) dims[i].role = r;
  });
  const coords = coordinateVectors(file, node.path);
  const byRole = (r: Role): CoordVector | undefined => coords.find((c) => c.role === r);

  // Which dimension is time.
  let tDim = -1;
  if (options.timeAxis !== undefined) {
    const ta = options.timeAxis;
    if (typeof ta === 'number') {
      if (!Number.isInteger(ta) || ta < 0 || ta >= nd)
        throw new InvalidInputError(
          `timeAxis ${ta} is not a dimension of "${node.path}" (0 to ${nd - 1})`,
        );
      tDim = ta;
    } else {
      tDim = dims.findIndex(
        (d, i) =>
          d.name.toLowerCase() === ta.toLowerCase() ||
          (stated?.[i] ?? '').toLowerCase() === ta.toLowerCase(),
      );
      if (tDim < 0)
        throw new InvalidInputError(
          `timeAxis "${ta}" is not an axis of "${node.path}"; axes are ${dims.map((d) => d.name).join(', ')}`,
        );
    }
  } else {
    const timeDims = dims.map((d, i) => (d.role === 'time' ? i : -1)).filter((i) => i >= 0);
    if (timeDims.length === 1) tDim = timeDims[0];
    else if (timeDims.length > 1)
      throw new DataFormatError(
        `dimensions ${timeDims.join(' and ')} of "${node.path}" both look like time; pass timeAxis (CLI: --time-axis)`,
        { file: fileName },
      );
    else {
      const tv = byRole('time');
      const match = tv
        ? dims
            .map((d, i) => (d.role === null && d.size === tv.values.length ? i : -1))
            .filter((i) => i >= 0)
        : [];
      if (match.length === 1) tDim = match[0];
      else {
        const shape = dims.map((d) => d.size).join(' x ');
        throw new DataFormatError(
          match.length > 1
            ? `cannot tell which dimension of "${node.path}" (shape ${shape}) is time: ${match.length} have the length of ${tv?.path} (${tv?.values.length}); add an "axes" attribute such as ["t", "x"] or pass timeAxis (CLI: --time-axis)`
            : `cannot tell which dimension of "${node.path}" (shape ${shape}) is time: give an axis time units (HyperSpy axis-i "units" = "ns"), add a coordinate vector such as "t_ns", or pass timeAxis (CLI: --time-axis)`,
          { file: fileName },
        );
      }
    }
  }
  dims[tDim].role = 'time';
  const spaceDims = dims.map((_, i) => i).filter((i) => i !== tDim);

  // Time coordinates in ns.
  const t = dims[tDim];
  const tVec = byRole('time');
  let tValues: Float64Array;
  let tUnit: string;
  if (
    tVec &&
    tVec.values.length === t.size &&
    (t.values === null || statedRoles[tDim] === 'time')
  ) {
    tValues = tVec.values;
    tUnit = tVec.unit;
  } else if (t.values) {
    tValues = t.values;
    tUnit = t.unit;
  } else {
    throw new DataFormatError(
      `the time dimension ${tDim} of "${node.path}" (length ${t.size}) has no calibration: no HyperSpy/EMD axis, dimension scale or coordinate vector (t_ns, time, ...) of that length`,
      { file: fileName },
    );
  }
  const tu = options.timeUnit ?? (tUnit === '' ? 'ns' : tUnit);
  const tScale = H5_TIME_UNITS[tu];
  if (tScale === undefined)
    throw new DataFormatError(
      `time unit "${tu}" of "${node.path}" is not a time unit (fs, ps, ns, us, ms, s)`,
      { file: fileName },
    );
  const timeNs = Array.from(tValues, (v) => v * tScale);
  checkIncreasing(timeNs, 'time', fileName);

  // Positions.
  let posUnit: 'nm' | 'um' | 'sites' | undefined;
  const positions = spaceDims.map((di, k) => {
    const d = dims[di];
    const want: Role = k === 0 ? 'x' : 'y';
    const vec = byRole(d.role === 'x' || d.role === 'y' ? d.role : want);
    let values: Float64Array;
    let unit: string;
    if (
      vec &&
      vec.values.length === d.size &&
      (d.values === null || statedRoles[di] === vec.role)
    ) {
      values = vec.values;
      unit = vec.unit;
    } else if (d.values) {
      values = d.values;
      unit = d.unit;
    } else {
      throw new DataFormatError(
        `position dimension ${di} of "${node.path}" (length ${d.size}) has no calibration: no axis scale, dimension scale or coordinate vector (x_um, x, ...) of that length`,
        { file: fileName },
      );
    }
    if (d.size < 3)
      throw new DataFormatError(
        `position dimension ${di} of "${node.path}" has ${d.size} points; a profile needs at least 3`,
        { file: fileName },
      );
    let u: { unit: 'nm' | 'um' | 'sites'; factor: number };
    if (options.positionUnit) u = { unit: options.positionUnit, factor: 1 };
    else if (unit === '') u = { unit: 'um', factor: 1 };
    else {
      const known = H5_LENGTH_UNITS[unit] ?? H5_LENGTH_UNITS[unit.toLowerCase()];
      if (!known)
        throw new DataFormatError(
          `position unit "${unit}" of dimension ${di} of "${node.path}" is not a length unit (nm, um, mm, m or sites)`,
          { file: fileName },
        );
      u = known;
    }
    if (posUnit && posUnit !== u.unit)
      throw new DataFormatError(
        `the position axes of "${node.path}" have different units (${posUnit}, ${u.unit})`,
        { file: fileName },
      );
    posUnit = u.unit;
    const out = Array.from(values, (v) => v * u.factor);
    checkIncreasing(out, 'position', fileName);
    return out;
  });

  // Reorder to (time, x[, y]).
  const shape = dims.map((d) => d.size);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const order = [tDim, ...spaceDims];
  const outShape = order.map((i) => shape[i]);
  const data = new Float64Array(arr.data.length);
  const src = arr.data;
  if (nd === 2) {
    const [a, b] = order;
    for (let i = 0; i < outShape[0]; i++)
      for (let j = 0; j < outShape[1]; j++)
        data[i * outShape[1] + j] = src[i * strides[a] + j * strides[b]];
  } else {
    const [a, b, c] = order;
    let k = 0;
    for (let i = 0; i < outShape[0]; i++)
      for (let j = 0; j < outShape[1]; j++)
        for (let l = 0; l < outShape[2]; l++)
          data[k++] = src[i * strides[a] + j * strides[b] + l * strides[c]];
  }
  const unit = (posUnit ?? 'um') as string;
  const axes: Axis[] = [
    coordinateAxis('time', 'ns', timeNs),
    coordinateAxis('x', unit, positions[0]),
  ];
  if (positions.length === 2) axes.push(coordinateAxis('y', unit, positions[1]));
  const layout = tVec && tValues === tVec.values ? 'coordinates' : calibration;
  return calibrated(data, axes, {
    unit: arr.unit || 'counts',
    name: 'PL intensity',
    metadata: {
      source: fileName,
      format: 'hdf5',
      path: node.path,
      layout,
      storedShape: shape,
      storedAxes: dims.map((d) => d.name),
      timeDimension: tDim,
    },
  });
}
