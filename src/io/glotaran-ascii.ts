/**
 * The Glotaran / pyglotaran ASCII matrix format for time-resolved spectra (e.g. transient
 * absorption):
 *
 * ```
 * <free header line>
 * <free line, e.g. "Original filename: ...">
 * Time explicit            (or "Wavelength explicit")
 * intervalnr 335           (number of values on the next line)
 * <tab> t1 <tab> t2 ...    (the explicit axis)
 * w1 <tab> v(w1,t1) <tab> v(w1,t2) ...   (one row per value of the other axis)
 * ```
 * "Time explicit" lists the times on line 5 and one row per wavelength; "Wavelength explicit"
 * lists wavelengths on line 5 and one row per time. The format carries no units: Glotaran's
 * convention is picoseconds and nanometres, which are the defaults here.
 * The result is always time-major: axes `time` x `wavelength`.
 */
import { DataFormatError } from '../core/errors.js';
import { coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { decodeText, parseCell, splitLines } from './table-text.js';

/** Options of the Glotaran ASCII reader. */
export interface GlotaranAsciiOptions {
  fileName?: string;
  /** Unit of the time axis (the file does not say; default `ps`). */
  timeUnit?: string;
  /** Unit of the wavelength axis (default `nm`). */
  wavelengthUnit?: string;
  /** Unit of the values (default `` - TA data are often mOD or ΔOD; the file does not say). */
  unit?: string;
  /** Name of the values (default `ΔA`). */
  name?: string;
}

function numbersOf(
  line: string,
  row: number,
  file: string | undefined,
  firstColumn: number,
): { values: number[]; missing: number } {
  const fields = line.trim() === '' ? [] : line.trim().split(/[\t ,;]+/);
  const values: number[] = [];
  let missing = 0;
  fields.forEach((f, k) => {
    const c = parseCell(f);
    if (c.kind === 'number') values.push(c.value);
    else if (c.kind === 'missing') {
      values.push(Number.NaN);
      missing++;
    } else {
      throw new DataFormatError(`"${f}" is not a number`, { file, row, column: firstColumn + k });
    }
  });
  return { values, missing };
}

/**
 * Read a Glotaran "Time explicit" or "Wavelength explicit" ASCII matrix.
 *
 * @example
 * const ta = readGlotaranAscii(bytes, { fileName: 'ta.ascii' });
 * ta.axes.map((a) => a.name); // ['time', 'wavelength']
 */
export function readGlotaranAscii(
  input: Uint8Array | string,
  options: GlotaranAsciiOptions = {},
): CalibratedArray<Float64Array> {
  const file = options.fileName;
  const { lines } = splitLines(decodeText(input).text);
  let k = lines.findIndex((l) => /^\s*(time|wavelength)\s+explicit\s*$/i.test(l));
  if (k < 0 || k > 5) {
    throw new DataFormatError(
      'not a Glotaran ASCII file: no "Time explicit" or "Wavelength explicit" line among the first lines',
      {
        file,
        row: 1,
      },
    );
  }
  const timeExplicit = /^\s*time/i.test(lines[k]);
  const header = lines.slice(0, k).map((l) => l.trim());
  k++;
  const m = /^\s*intervalnr\s+(\d+)\s*$/i.exec(lines[k] ?? '');
  if (!m) {
    throw new DataFormatError(
      `expected "intervalnr N" after "${timeExplicit ? 'Time' : 'Wavelength'} explicit"`,
      { file, row: k + 1 },
    );
  }
  const n = Number(m[1]);
  k++;
  const axisLine = numbersOf(lines[k] ?? '', k + 1, file, 1);
  if (axisLine.missing > 0)
    throw new DataFormatError('the axis line contains missing values', { file, row: k + 1 });
  const explicitAxis = axisLine.values;
  if (explicitAxis.length !== n) {
    throw new DataFormatError(
      `"intervalnr ${n}" but the axis line has ${explicitAxis.length} values`,
      { file, row: k + 1 },
    );
  }
  const rowAxis: number[] = [];
  const rows: number[][] = [];
  let missing = 0;
  for (let r = k + 1; r < lines.length; r++) {
    if (lines[r].trim() === '') continue;
    const { values, missing: miss } = numbersOf(lines[r], r + 1, file, 1);
    if (values.length !== n + 1) {
      throw new DataFormatError(
        `expected ${n + 1} values (axis value + ${n} data), found ${values.length}`,
        { file, row: r + 1 },
      );
    }
    if (Number.isNaN(values[0]))
      throw new DataFormatError('the first column (axis value) is missing', {
        file,
        row: r + 1,
        column: 1,
      });
    missing += miss;
    rowAxis.push(values[0]);
    rows.push(values.slice(1));
  }
  if (rows.length === 0)
    throw new DataFormatError('the file has no data rows', { file, row: k + 2 });
  const times = timeExplicit ? explicitAxis : rowAxis;
  const wavelengths = timeExplicit ? rowAxis : explicitAxis;
  const nt = times.length;
  const nw = wavelengths.length;
  const data = new Float64Array(nt * nw);
  for (let t = 0; t < nt; t++) {
    for (let w = 0; w < nw; w++) data[t * nw + w] = timeExplicit ? rows[w][t] : rows[t][w];
  }
  return calibrated(
    data,
    [
      coordinateAxis('time', options.timeUnit ?? 'ps', times),
      coordinateAxis('wavelength', options.wavelengthUnit ?? 'nm', wavelengths),
    ],
    {
      unit: options.unit ?? '',
      name: options.name ?? 'ΔA',
      metadata: {
        format: timeExplicit
          ? 'Glotaran ASCII (time explicit)'
          : 'Glotaran ASCII (wavelength explicit)',
        fileName: file ?? null,
        header,
        missingValues: missing,
        unitsAssumed: options.timeUnit === undefined || options.wavelengthUnit === undefined,
      },
    },
  );
}

/**
 * Write a time x wavelength matrix in the Glotaran "Time explicit" ASCII format.
 *
 * @example
 * const text = writeGlotaranAscii(ta, { title: 'simulated TA' });
 */
export function writeGlotaranAscii(
  a: CalibratedArray,
  options: { title?: string; originalFileName?: string } = {},
): string {
  const ti = a.axes.findIndex((x) => x.name === 'time');
  const wi = a.axes.findIndex((x) => x.name === 'wavelength');
  if (a.axes.length !== 2 || ti < 0 || wi < 0) {
    throw new DataFormatError(
      `writeGlotaranAscii needs a 2-D array with axes time and wavelength, got ${a.axes.map((x) => x.name).join(' x ')}`,
    );
  }
  const val = (axis: (typeof a.axes)[number], i: number): number =>
    axis.coordinates ? axis.coordinates[i] : axis.offset + axis.scale * i;
  const T = a.axes[ti];
  const W = a.axes[wi];
  const at = (t: number, w: number): number =>
    ti === 0 ? a.data[t * W.size + w] : a.data[w * T.size + t];
  const out: string[] = [
    options.title ?? 'Header',
    `Original filename: ${options.originalFileName ?? ''}`,
    'Time explicit',
    `intervalnr ${T.size}`,
  ];
  out.push('\t' + Array.from({ length: T.size }, (_, t) => String(val(T, t))).join('\t'));
  for (let w = 0; w < W.size; w++) {
    const row = [String(val(W, w))];
    for (let t = 0; t < T.size; t++) row.push(String(at(t, w)));
    out.push(row.join('\t'));
  }
  return out.join('\n') + '\n';
}
