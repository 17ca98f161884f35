import { InvalidInputError } from '../core/errors.js';

/** One table cell: text, a number, or empty (`null`). */
export type TableCell = string | number | null | undefined;

function csvCell(v: TableCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A table as CSV text (RFC 4180): CRLF line ends, fields with commas, quotes or line breaks
 * quoted, quotes doubled; numbers at full precision; `null` and non-finite numbers empty.
 *
 * @example
 * tableToCsv(['name', 'tauNs'], [['CsPbBr3, film', 4.2]]); // 'name,tauNs\r\n"CsPbBr3, film",4.2\r\n'
 */
export function tableToCsv(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<TableCell>>,
): string {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new InvalidInputError('CSV table needs at least one column name');
  }
  const lines = [columns.map(csvCell).join(',')];
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new InvalidInputError(
        `CSV table row ${i + 1} has ${Array.isArray(row) ? row.length : 0} cells but there are ${columns.length} columns`,
      );
    }
    lines.push(row.map(csvCell).join(','));
  });
  return lines.join('\r\n') + '\r\n';
}
