/**
 * Picking columns out of a table, and turning columns into calibrated arrays.
 */
import { InvalidInputError } from '../core/errors.js';
import { type CalibratedArray, calibrated, fromXY } from '../data/calibrated.js';
import { coordinateAxis } from '../data/axis.js';
import type { Table, TableColumn } from './table.js';

/** A column given by its name (case-insensitive, with or without the unit) or 1-based number. */
export type ColumnRef = string | number;

function listing(table: Table): string {
  return table.columns.map((c) => c.label).join(', ');
}

function normalise(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * Index (0-based) of a column given by name or 1-based number. Names match case-insensitively
 * against the header as written (`time (ns)`), the name alone (`time`) or `name (unit)`; a
 * string of digits that is no column's name is taken as a number. Throws `InvalidInputError`
 * listing the columns when nothing matches.
 *
 * @example
 * columnIndex(table, 'Time'); // 0
 * columnIndex(table, 2);      // 1
 */
export function columnIndex(table: Table, ref: ColumnRef): number {
  const n = table.columns.length;
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 1 || ref > n) {
      throw new InvalidInputError(
        `no column ${ref}; the table has ${n} column${n === 1 ? '' : 's'}: ${listing(table)}`,
      );
    }
    return ref - 1;
  }
  const want = normalise(ref);
  const tries: Array<(c: TableColumn) => boolean> = [
    (c) => c.label === ref.trim(),
    (c) => normalise(c.label) === want,
    (c) => normalise(c.name) === want,
    (c) => c.unit !== '' && normalise(`${c.name} (${c.unit})`) === want,
  ];
  for (const test of tries) {
    const hits = table.columns.flatMap((c, i) => (test(c) ? [i] : []));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) {
      throw new InvalidInputError(
        `column name "${ref}" is ambiguous: columns ${hits.map((i) => i + 1).join(' and ')} match; give the column number instead`,
      );
    }
  }
  if (/^\s*\d+\s*$/.test(ref)) return columnIndex(table, Number(ref));
  throw new InvalidInputError(`no column "${ref}"; columns are ${listing(table)}`);
}

/**
 * The column given by name (case-insensitive) or 1-based number; see `columnIndex`.
 *
 * @example
 * const t = readTable('time (ns),counts\n0,10\n1,8\n');
 * column(t, 'counts').values; // Float64Array [10, 8]
 * column(t, 'cnts');          // throws: no column "cnts"; columns are time (ns), counts
 */
export function column(table: Table, ref: ColumnRef): TableColumn {
  return table.columns[columnIndex(table, ref)];
}

/**
 * Turn table columns into a calibrated array: x becomes the axis (named and with the unit from
 * its header), y the values. One y column gives a 1-D array (a spectrum, a decay); several give
 * a 2-D array with a `column` axis first (1-based column numbers as coordinates) and the column
 * names and units in `metadata.columns`. Without `yCols`, every column other than x is taken.
 *
 * @example
 * const decay = tableToCalibrated(readTable(text), 'time', 'counts');
 * decay.axes[0]; // { name: 'time', unit: 'ns', ... }
 */
export function tableToCalibrated(
  table: Table,
  xCol: ColumnRef = 1,
  yCols?: ColumnRef | ColumnRef[],
): CalibratedArray<Float64Array> {
  const xi = columnIndex(table, xCol);
  const yi =
    yCols === undefined
      ? table.columns.map((_, i) => i).filter((i) => i !== xi)
      : (Array.isArray(yCols) ? yCols : [yCols]).map((r) => columnIndex(table, r));
  if (yi.length === 0) {
    throw new InvalidInputError(
      `the table has only the x column (${table.columns[xi].label}); no y column to take`,
    );
  }
  const x = table.columns[xi];
  const xName = x.name || 'x';
  const badX = x.values.findIndex((v) => !Number.isFinite(v));
  if (badX >= 0) {
    throw new InvalidInputError(
      `x column ${x.label} has a missing value (data row ${badX + 1}); x must be complete`,
    );
  }
  const metadata: Record<string, unknown> = {
    source: table.metadata.fileName,
    table: table.metadata,
    columns: yi.map((i) => ({
      number: i + 1,
      name: table.columns[i].name,
      unit: table.columns[i].unit,
      label: table.columns[i].label,
    })),
  };
  if (yi.length === 1) {
    const y = table.columns[yi[0]];
    return fromXY(x.values, y.values, {
      xName,
      xUnit: x.unit,
      unit: y.unit,
      name: y.name,
      metadata,
    });
  }
  const n = x.values.length;
  const data = new Float64Array(yi.length * n);
  yi.forEach((i, k) => data.set(table.columns[i].values, k * n));
  const units = new Set(yi.map((i) => table.columns[i].unit));
  const xAxis = coordinateAxis(xName === 'column' ? 'x' : xName, x.unit, x.values);
  const columnAxis = coordinateAxis(
    'column',
    '',
    yi.map((i) => i + 1),
  );
  return calibrated(data, [columnAxis, xAxis], {
    unit: units.size === 1 ? [...units][0] : '',
    name: yi.map((i) => table.columns[i].name).join(', '),
    metadata,
  });
}
