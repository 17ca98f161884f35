/**
 * Reader for delimited text tables (CSV, TSV, semicolon, whitespace) as exported by instruments,
 * Origin, Excel, numpy.savetxt and friends. Platform-neutral: takes a string or bytes.
 */
import { DataFormatError } from '../core/errors.js';
import { looksLikeUnit, parseHeaderName } from './table-header.js';
import {
  type CellValue,
  type TableDelimiter,
  decodeText,
  isCommentLine,
  parseCell,
  splitFields,
  splitLines,
} from './table-text.js';

export type { TableDelimiter } from './table-text.js';

/** One column of a table. */
export interface TableColumn {
  /** Name without the unit, e.g. `time` from `time (ns)`; `col1`, `col2`, ... when the file has no names. */
  name: string;
  /** Unit from the header (`time (ns)`, `Time [ns]`, a units row), or `` when not given. */
  unit: string;
  /** The header as it reads, e.g. `time (ns)`; used in listings and error messages. */
  label: string;
  values: Float64Array;
}

/** How the file was read: everything needed to reproduce or report it. */
export interface TableMetadata {
  fileName: string | null;
  /** Every non-blank line before the first data row, as written (comments, names, units, free text). */
  headerLines: string[];
  /** Text of all comment lines (marker removed), wherever they are. */
  comments: string[];
  delimiter: TableDelimiter;
  decimalSeparator: '.' | ',';
  encoding: string;
  bom: boolean;
  lineEnding: '\n' | '\r\n' | '\r';
  /** True if a row of column names was found (in the table or in the last comment line). */
  namesRow: boolean;
  /** True if a separate row of units followed the names. */
  unitsRow: boolean;
  /** 1-based line number of the first data row. */
  firstDataLine: number;
  /** Number of data rows read. */
  rowCount: number;
  /** Number of missing cells read as NaN (only with `missing: 'nan'`). */
  missingCount: number;
}

/** A table of numeric columns read from delimited text. */
export interface Table {
  columns: TableColumn[];
  metadata: TableMetadata;
}

export interface ReadTableOptions {
  /** File name used in error messages and metadata. */
  fileName?: string;
  /** Force a delimiter instead of detecting it. */
  delimiter?: TableDelimiter | 'auto';
  /** Force the decimal separator instead of detecting it (`,` for German exports). */
  decimal?: '.' | ',' | 'auto';
  /** Empty cells and `NaN`: an error (default) or NaN values. */
  missing?: 'error' | 'nan';
  /** Line prefixes that mark comments (default `#`, `%`, `//`). */
  commentPrefixes?: readonly string[];
}

interface Line {
  /** 1-based line number in the file. */
  no: number;
  text: string;
}

interface Config {
  delimiter: TableDelimiter;
  decimalComma: boolean;
}

const DEFAULT_COMMENTS = ['#', '%', '//'] as const;
const SAMPLE = 100;

/** Cells of a line, ignoring lines that are only delimiters (`,,,` from Excel). */
function isEmptyRow(fields: string[]): boolean {
  return fields.every((f) => f === '');
}

function cellsOf(fields: string[], decimalComma: boolean): CellValue[] {
  return fields.map((f) => parseCell(f, decimalComma));
}

function isNumericRow(cells: CellValue[]): boolean {
  let numbers = 0;
  for (const c of cells) {
    if (c.kind === 'number') numbers++;
    else if (c.kind !== 'missing') return false;
  }
  return numbers > 0;
}

function mode(values: number[]): { value: number; count: number } {
  const counts = new Map<number, number>();
  let best = { value: 0, count: 0 };
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > best.count || (c === best.count && v > best.value)) best = { value: v, count: c };
  }
  return best;
}

/** Score a delimiter/decimal choice on sample lines: consistent field count and numeric cells. */
function scoreConfig(
  sample: string[],
  cfg: Config,
): { nCols: number; consistency: number; numeric: number } {
  const rows = sample.map((l) => splitFields(l, cfg.delimiter)).filter((f) => !isEmptyRow(f));
  if (rows.length === 0) return { nCols: 0, consistency: 0, numeric: 0 };
  const m = mode(rows.map((r) => r.length));
  let numericRows = 0;
  for (const r of rows)
    if (r.length === m.value && isNumericRow(cellsOf(r, cfg.decimalComma))) numericRows++;
  return { nCols: m.value, consistency: m.count / rows.length, numeric: numericRows / rows.length };
}

const CONFIGS: Config[] = [
  { delimiter: '\t', decimalComma: false },
  { delimiter: '\t', decimalComma: true },
  { delimiter: ';', decimalComma: false },
  { delimiter: ';', decimalComma: true },
  { delimiter: ',', decimalComma: false },
  { delimiter: 'whitespace', decimalComma: false },
  { delimiter: 'whitespace', decimalComma: true },
];

/** Pick delimiter and decimal separator from the last lines of the file (the data, not the header). */
function detectConfig(contentLines: Line[], options: ReadTableOptions): Config {
  const sample = contentLines.slice(-SAMPLE).map((l) => l.text);
  const forcedDelim = options.delimiter && options.delimiter !== 'auto' ? options.delimiter : null;
  const forcedDec = options.decimal && options.decimal !== 'auto' ? options.decimal === ',' : null;
  const configs = CONFIGS.filter(
    (c) =>
      (forcedDelim === null || c.delimiter === forcedDelim) &&
      (forcedDec === null || c.decimalComma === forcedDec),
  );
  if (configs.length === 0) {
    // e.g. delimiter ',' with decimal ',': impossible to tell apart; honour the delimiter
    return { delimiter: forcedDelim ?? ',', decimalComma: false };
  }
  let fallback: { cfg: Config; score: number } | null = null;
  for (const cfg of configs) {
    const s = scoreConfig(sample, cfg);
    if (s.nCols > 1 && s.consistency >= 0.8 && s.numeric >= 0.8) return cfg;
    const score = (s.nCols > 1 || forcedDelim ? 1 : 0.5) * s.consistency * (0.1 + s.numeric);
    if (!fallback || score > fallback.score) fallback = { cfg, score };
  }
  // Single column (no delimiter splits the data): whitespace with the decimal that parses.
  const single = configs.filter((c) => c.delimiter === (forcedDelim ?? 'whitespace'));
  for (const cfg of single) {
    const s = scoreConfig(sample, cfg);
    if (s.nCols === 1 && s.numeric >= 0.8) return cfg;
  }
  return fallback!.cfg;
}

function columnText(index: number, label: string | undefined): string {
  return label ? `${index + 1} (${label})` : `${index + 1}`;
}

function cellError(cell: CellValue, raw: string): string {
  if (cell.kind === 'infinite') return `"${raw}" is not a finite number`;
  if (cell.kind === 'missing') {
    return `${raw === '' ? 'empty cell' : `"${raw}"`} (missing value); read with missing: 'nan' to keep such cells as NaN`;
  }
  return `"${raw}" is not a number`;
}

/** Merge whitespace-split header tokens like `time (ns)` back together: `(ns)` joins the name before it. */
function mergeUnitTokens(fields: string[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (out.length > 0 && /^[([].*[)\]]$/.test(f)) out[out.length - 1] += ` ${f}`;
    else out.push(f);
  }
  return out;
}

function headerFields(text: string, cfg: Config): string[] {
  const f = splitFields(text, cfg.delimiter);
  return cfg.delimiter === 'whitespace' ? mergeUnitTokens(f) : f;
}

/** Fit a header row to nCols fields: drop trailing empty extras; null if it does not fit. */
function fitHeader(fields: string[], nCols: number, emptyTail: number): string[] | null {
  let f = fields;
  while (f.length > nCols && f[f.length - 1] === '') f = f.slice(0, -1);
  if (f.length === nCols) return f;
  if (f.length < nCols && f.length >= nCols - emptyTail && f.length > 0) {
    return [...f, ...new Array<string>(nCols - f.length).fill('')];
  }
  return null;
}

/**
 * Read a delimited text table into numeric columns.
 *
 * Detects the delimiter (tab, `;`, `,`, or whitespace) and the decimal separator (decimal commas
 * in `;`/tab/whitespace files, as German Origin and Excel export them) from the data rows; skips
 * comment lines (`#`, `%`, `//`), free-text header lines, blank lines and Excel's `,,,` lines;
 * takes column names from the row above the data (or the last comment line, if it splits into
 * as many names as there are columns) and units from the names (`time (ns)`, `Time [ns]`,
 * `Time / ns`) or from a units row. Handles a BOM, CRLF/CR line ends and quoted fields.
 *
 * Every data row must be complete and numeric: a text cell, an infinity, or a row with the wrong
 * number of values is a `DataFormatError` naming the file, the 1-based line number and the column
 * (number and name). Empty/`NaN` cells are errors unless `missing: 'nan'`.
 *
 * @example
 * const t = readTable('time (ns),counts\n0,10\n0.5,8\n', { fileName: 'decay.csv' });
 * t.columns[0]; // { name: 'time', unit: 'ns', label: 'time (ns)', values: Float64Array [0, 0.5] }
 */
export function readTable(input: string | Uint8Array, options: ReadTableOptions = {}): Table {
  const file = options.fileName;
  const missing = options.missing ?? 'error';
  const commentPrefixes = options.commentPrefixes ?? DEFAULT_COMMENTS;
  const decoded = decodeText(input);
  const { lines: rawLines, lineEnding } = splitLines(decoded.text);

  const comments: string[] = [];
  const commentLineNos = new Set<number>();
  const content: Line[] = [];
  rawLines.forEach((text, i) => {
    const t = text.trim();
    if (t === '') return;
    if (isCommentLine(t, commentPrefixes)) {
      const prefix = commentPrefixes.find((p) => t.startsWith(p))!;
      comments.push(t.slice(prefix.length).trim());
      commentLineNos.add(i + 1);
      return;
    }
    content.push({ no: i + 1, text });
  });

  if (content.length === 0) {
    if (comments.length === 0) throw new DataFormatError('the file is empty', { file });
    throw new DataFormatError(
      `the file has only comment lines (${comments.length}) and no rows of numbers`,
      { file },
    );
  }

  const cfg = detectConfig(content, options);
  const split = content.map((l) => ({ line: l, fields: splitFields(l.text, cfg.delimiter) }));
  const rows = split.filter((r) => !isEmptyRow(r.fields));
  if (rows.length === 0) throw new DataFormatError('the file has no rows of numbers', { file });

  // Number of columns: the most common field count among the last rows (the data).
  const nCols = mode(rows.slice(-SAMPLE).map((r) => r.fields.length)).value;

  // First data row: the first numeric row with nCols fields.
  let start = -1;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (r.fields.length === nCols && isNumericRow(cellsOf(r.fields, cfg.decimalComma))) {
      start = k;
      break;
    }
  }
  if (start < 0) {
    const first = rows[0].line;
    throw new DataFormatError(
      `no rows of numbers found (${rows.length} text lines; first: "${first.text.trim().slice(0, 60)}")`,
      { file },
    );
  }
  const pre = rows.slice(0, start);
  const data = rows.slice(start);

  // Trailing columns that are empty in every data row (Excel's trailing delimiters).
  let emptyTail = 0;
  for (let c = nCols - 1; c >= 0; c--) {
    if (data.every((r) => c >= r.fields.length || r.fields[c] === '')) emptyTail++;
    else break;
  }

  // Header rows: among the rows that fit the column count and are not numbers, take the last
  // run of consecutive ones; a units row in it follows the names (Origin: names, units, comments),
  // otherwise the names are the row closest to the data.
  const isHeaderCandidate = (k: number): string[] | null => {
    const f = fitHeader(headerFields(pre[k].line.text, cfg), nCols, emptyTail);
    if (!f || isEmptyRow(f)) return null;
    const cells = cellsOf(f, cfg.decimalComma);
    // A row that starts with a number and is mostly numbers is a data row with a bad cell.
    const numeric = cells.filter((c) => c.kind === 'number').length;
    if (isNumericRow(cells) || (nCols > 1 && cells[0].kind === 'number' && numeric * 2 >= nCols))
      return null;
    return f;
  };
  let names: string[] | null = null;
  let units: string[] | null = null;
  let namesIndex = -1;
  let unitsIndex = -1;
  {
    const run: Array<{ k: number; f: string[] }> = [];
    for (let k = pre.length - 1; k >= 0; k--) {
      const f = isHeaderCandidate(k);
      if (f) run.unshift({ k, f });
      else if (run.length > 0) break;
    }
    if (run.length > 0) {
      const isUnits = (f: string[]): boolean =>
        f.some((c) => c !== '') && f.every((c) => c === '' || looksLikeUnit(c));
      const u = run.findIndex((r, i) => i > 0 && isUnits(r.f));
      const n = u > 0 ? u - 1 : run.length - 1;
      names = run[n].f;
      namesIndex = run[n].k;
      if (u > 0) {
        units = run[u].f;
        unitsIndex = run[u].k;
      }
    }
  }
  // Rows between the header and the data that look like data rows with a bad cell are errors.
  for (let k = Math.max(0, namesIndex + 1); k < pre.length; k++) {
    const r = pre[k];
    if (k === unitsIndex) continue;
    const cells = cellsOf(r.fields, cfg.decimalComma);
    const numeric = cells.filter((c) => c.kind === 'number').length;
    if (
      k === pre.length - 1 &&
      r.fields.length > 1 &&
      r.fields.length !== nCols &&
      isNumericRow(cells)
    ) {
      throw new DataFormatError(
        `row has ${r.fields.length} values but the table has ${nCols} columns`,
        {
          file,
          row: r.line.no,
        },
      );
    }
    if (
      r.fields.length === nCols &&
      nCols > 1 &&
      cells[0].kind === 'number' &&
      numeric * 2 >= nCols
    ) {
      const bad = cells.findIndex((c) => c.kind !== 'number');
      const label = names ? names[bad] : undefined;
      throw new DataFormatError(cellError(cells[bad], r.fields[bad]), {
        file,
        row: r.line.no,
        column: columnText(bad, label),
      });
    }
  }
  // No names row: the last comment line before the data, if it splits into nCols names.
  if (!names) {
    const firstDataNo = data[0].line.no;
    let lastComment: number | null = null;
    for (const no of commentLineNos)
      if (no < firstDataNo && (lastComment === null || no > lastComment)) lastComment = no;
    if (lastComment !== null) {
      const t = rawLines[lastComment - 1].trim();
      const prefix = commentPrefixes.find((p) => t.startsWith(p))!;
      const f = fitHeader(headerFields(t.slice(prefix.length), cfg), nCols, emptyTail);
      if (f && f.every((c) => parseCell(c, cfg.decimalComma).kind === 'text')) names = f;
    }
  }

  // Columns to keep: drop trailing all-empty columns without a name.
  let kept = nCols;
  for (let c = nCols - 1; c >= nCols - emptyTail; c--) {
    if (names && names[c] !== '') break;
    kept--;
  }
  if (kept === 0) throw new DataFormatError('the file has no rows of numbers', { file });

  const labels: string[] = [];
  const colNames: string[] = [];
  const colUnits: string[] = [];
  for (let c = 0; c < kept; c++) {
    const header = names?.[c] ?? '';
    if (header === '') {
      colNames.push(`col${c + 1}`);
      colUnits.push('');
      labels.push(`col${c + 1}`);
      continue;
    }
    const parsed = parseHeaderName(header);
    const unitRowCell = units?.[c] ? units[c].replace(/^[([](.*)[)\]]$/, '$1').trim() : '';
    if (unitRowCell) {
      colNames.push(header);
      colUnits.push(unitRowCell);
      labels.push(`${header} (${unitRowCell})`);
    } else {
      colNames.push(parsed.name);
      colUnits.push(parsed.unit);
      labels.push(header);
    }
  }

  // Parse the data rows.
  const values = Array.from({ length: kept }, () => new Float64Array(data.length));
  let missingCount = 0;
  for (let k = 0; k < data.length; k++) {
    const { line, fields } = data[k];
    if (fields.length !== nCols) {
      const extraEmpty = fields.length > nCols && fields.slice(nCols).every((f) => f === '');
      const shortButEmptyTail = fields.length < nCols && fields.length >= kept;
      if (!extraEmpty && !shortButEmptyTail) {
        throw new DataFormatError(
          `row has ${fields.length} values but the table has ${kept} columns`,
          {
            file,
            row: line.no,
          },
        );
      }
    }
    for (let c = 0; c < kept; c++) {
      const raw = fields[c];
      const cell = parseCell(raw, cfg.decimalComma);
      if (cell.kind === 'number') {
        values[c][k] = cell.value;
      } else if (cell.kind === 'missing' && missing === 'nan') {
        values[c][k] = NaN;
        missingCount++;
      } else {
        throw new DataFormatError(cellError(cell, raw), {
          file,
          row: line.no,
          column: columnText(c, names ? labels[c] : undefined),
        });
      }
    }
  }

  const headerLines: string[] = [];
  const firstDataNo = data[0].line.no;
  for (let i = 0; i < firstDataNo - 1; i++)
    if (rawLines[i].trim() !== '') headerLines.push(rawLines[i]);
  if (decoded.bom && headerLines.length > 0 && headerLines[0].charCodeAt(0) === 0xfeff)
    headerLines[0] = headerLines[0].slice(1);

  return {
    columns: values.map((v, c) => ({
      name: colNames[c],
      unit: colUnits[c],
      label: labels[c],
      values: v,
    })),
    metadata: {
      fileName: file ?? null,
      headerLines,
      comments,
      delimiter: cfg.delimiter,
      decimalSeparator: cfg.decimalComma ? ',' : '.',
      encoding: decoded.encoding,
      bom: decoded.bom,
      lineEnding,
      namesRow: names !== null,
      unitsRow: units !== null,
      firstDataLine: firstDataNo,
      rowCount: data.length,
      missingCount,
    },
  };
}
