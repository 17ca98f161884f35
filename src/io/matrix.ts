/**
 * A time x wavelength matrix in delimited text (CSV, TSV, whitespace), as exported by transient
 * absorption and streak-camera software: the first row holds the wavelengths (the top-left cell
 * empty or a label such as `time (ps)`), the first column the times, and the rest the values.
 * The transposed layout (wavelengths down the first column) is read with
 * `{ orientation: 'wavelength-rows' }`. Parsing is done by the project's `readTable`.
 */
import { DataFormatError, InvalidInputError } from '../core/errors.js';
import { coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { parseHeaderName } from './table-header.js';
import { readTable } from './table.js';

/** Options of `readTimeWavelengthMatrix`. */
export interface MatrixReaderOptions {
  fileName?: string;
  /** `time-rows` (default): one row per time, wavelengths across; `wavelength-rows`: the transpose. */
  orientation?: 'time-rows' | 'wavelength-rows';
  /** Units of the axes when the file does not give them (defaults `ps` and `nm`). */
  timeUnit?: string;
  wavelengthUnit?: string;
  /** Unit and name of the values (defaults `` and `ΔA`). */
  unit?: string;
  name?: string;
}

function headerNumber(label: string): number | null {
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:[a-zA-Zµμ]+)?\s*$/.exec(label);
  return m ? Number(m[1]) : null;
}

/**
 * Read a plain time x wavelength matrix from delimited text. The result is time-major (axes
 * `time` x `wavelength`) whatever the file's orientation. Missing cells become NaN and are
 * counted in `metadata.missingValues`.
 *
 * @example
 * const ta = readTimeWavelengthMatrix('time (ps),500,510\n0,1e-3,2e-3\n1,0.8e-3,1.5e-3\n');
 * ta.axes.map((a) => `${a.name} (${a.unit})`); // ['time (ps)', 'wavelength (nm)']
 */
export function readTimeWavelengthMatrix(
  input: string | Uint8Array,
  options: MatrixReaderOptions = {},
): CalibratedArray<Float64Array> {
  const file = options.fileName;
  const table = readTable(input, { fileName: file, missing: 'nan' });
  const cols = table.columns;
  if (cols.length < 2)
    throw new DataFormatError('a matrix needs at least two columns (axis + values)', { file });
  const firstLine = table.metadata.firstDataLine;
  let across: number[];
  let rowStart = 0;
  let cornerUnit = '';
  let cornerName = '';
  if (table.metadata.namesRow) {
    const parsed = cols.slice(1).map((c) => headerNumber(c.label));
    const bad = parsed.findIndex((v) => v === null);
    if (bad >= 0) {
      throw new DataFormatError(
        `column header "${cols[bad + 1].label}" is not a number; the first row must hold the axis values`,
        {
          file,
          row: Math.max(1, firstLine - 1),
          column: bad + 2,
        },
      );
    }
    across = parsed as number[];
    const h = parseHeaderName(cols[0].label);
    cornerUnit = h.unit;
    cornerName = h.name.toLowerCase();
  } else {
    // no names row: the first data row holds the axis values, with an empty/NaN corner
    if (!Number.isNaN(cols[0].values[0])) {
      throw new DataFormatError(
        'the top-left cell must be empty or a label; the first row must hold the axis values',
        {
          file,
          row: firstLine,
          column: 1,
        },
      );
    }
    across = cols.slice(1).map((c) => c.values[0]);
    rowStart = 1;
  }
  const down: number[] = [];
  const nRows = cols[0].values.length - rowStart;
  if (nRows < 1) throw new DataFormatError('the matrix has no data rows', { file, row: firstLine });
  for (let r = rowStart; r < cols[0].values.length; r++) {
    const v = cols[0].values[r];
    if (!Number.isFinite(v)) {
      throw new DataFormatError('the first column (axis value) is missing', {
        file,
        row: firstLine + r,
        column: 1,
      });
    }
    down.push(v);
  }
  const badAcross = across.findIndex((v) => !Number.isFinite(v));
  if (badAcross >= 0) {
    throw new DataFormatError('an axis value in the first row is missing', {
      file,
      row: firstLine,
      column: badAcross + 2,
    });
  }
  const orientation =
    options.orientation ??
    (cornerName.startsWith('wavelength') || cornerName === 'lambda' || cornerName === 'λ'
      ? 'wavelength-rows'
      : 'time-rows');
  if (orientation !== 'time-rows' && orientation !== 'wavelength-rows') {
    throw new InvalidInputError(
      `orientation must be "time-rows" or "wavelength-rows", got "${orientation as string}"`,
    );
  }
  const times = orientation === 'time-rows' ? down : across;
  const wl = orientation === 'time-rows' ? across : down;
  const nt = times.length;
  const nw = wl.length;
  const data = new Float64Array(nt * nw);
  let missing = 0;
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < across.length; c++) {
      const v = cols[c + 1].values[r + rowStart];
      if (Number.isNaN(v)) missing++;
      if (orientation === 'time-rows') data[r * nw + c] = v;
      else data[c * nw + r] = v;
    }
  }
  const timeUnit =
    options.timeUnit ?? (orientation === 'time-rows' && cornerUnit ? cornerUnit : 'ps');
  const wavelengthUnit =
    options.wavelengthUnit ?? (orientation === 'wavelength-rows' && cornerUnit ? cornerUnit : 'nm');
  return calibrated(
    data,
    [coordinateAxis('time', timeUnit, times), coordinateAxis('wavelength', wavelengthUnit, wl)],
    {
      unit: options.unit ?? '',
      name: options.name ?? 'ΔA',
      metadata: {
        format: 'time x wavelength matrix (delimited text)',
        fileName: file ?? null,
        orientation,
        missingValues: missing,
        table: table.metadata,
      },
    },
  );
}
