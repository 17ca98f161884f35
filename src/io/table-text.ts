/**
 * Low-level text handling for delimited tables: decoding bytes (BOM, UTF-8, UTF-16, Windows-1252),
 * splitting lines and quote-aware fields, and strict number parsing. Platform-neutral.
 */

/** How fields are separated in a row: a character, or any run of spaces and tabs. */
export type TableDelimiter = ',' | '\t' | ';' | 'whitespace';

/** The decoded text of a file and how it was encoded. */
export interface DecodedText {
  text: string;
  /** True if the input began with a byte-order mark (removed from `text`). */
  bom: boolean;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
}

/**
 * Decode file bytes (or pass a string through), removing a byte-order mark. UTF-8 is tried first;
 * bytes that are not valid UTF-8 are read as Windows-1252 (old Windows exports with `µ` or `°`).
 * UTF-16 is recognised by its BOM, or by zero bytes in every second position.
 *
 * @example
 * decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x31])); // { text: '1', bom: true, encoding: 'utf-8' }
 */
export function decodeText(input: string | Uint8Array): DecodedText {
  if (typeof input === 'string') {
    const bom = input.charCodeAt(0) === 0xfeff;
    return { text: bom ? input.slice(1) : input, bom, encoding: 'utf-8' };
  }
  const b = input;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(b.subarray(3)), bom: true, encoding: 'utf-8' };
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    return {
      text: new TextDecoder('utf-16le').decode(b.subarray(2)),
      bom: true,
      encoding: 'utf-16le',
    };
  }
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    return {
      text: new TextDecoder('utf-16be').decode(b.subarray(2)),
      bom: true,
      encoding: 'utf-16be',
    };
  }
  if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) {
    return { text: new TextDecoder('utf-16le').decode(b), bom: false, encoding: 'utf-16le' };
  }
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(b),
      bom: false,
      encoding: 'utf-8',
    };
  } catch {
    return {
      text: new TextDecoder('windows-1252').decode(b),
      bom: false,
      encoding: 'windows-1252',
    };
  }
}

/**
 * Split text into lines on `\r\n`, `\n` or `\r`, and report which ending came first.
 *
 * @example
 * splitLines('a\r\nb'); // { lines: ['a', 'b'], lineEnding: '\r\n' }
 */
export function splitLines(text: string): { lines: string[]; lineEnding: '\n' | '\r\n' | '\r' } {
  const m = /\r\n|\r|\n/.exec(text);
  const lineEnding = (m ? m[0] : '\n') as '\n' | '\r\n' | '\r';
  return { lines: text.split(/\r\n|\r|\n/), lineEnding };
}

/**
 * Split one line into trimmed fields. Double-quoted fields may contain the delimiter, and `""`
 * inside quotes stands for one quote; the quotes are removed. With `whitespace`, any run of
 * spaces and tabs separates fields and leading/trailing blanks are ignored.
 *
 * @example
 * splitFields('"time (ns)", "a, b"', ','); // ['time (ns)', 'a, b']
 */
export function splitFields(line: string, delimiter: TableDelimiter): string[] {
  if (line.indexOf('"') < 0) {
    if (delimiter === 'whitespace') {
      const t = line.trim();
      return t === '' ? [''] : t.split(/[ \t]+/);
    }
    return line.split(delimiter).map((f) => f.trim());
  }
  const fields: string[] = [];
  const isSep = (c: string): boolean =>
    delimiter === 'whitespace' ? c === ' ' || c === '\t' : c === delimiter;
  let i = 0;
  const n = line.length;
  if (delimiter === 'whitespace') while (i < n && isSep(line[i])) i++;
  for (;;) {
    // skip blanks before a field (but not the delimiter itself)
    while (i < n && (line[i] === ' ' || line[i] === '\t') && !isSep(line[i])) i++;
    let field = '';
    if (i < n && line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          field += line.slice(i); // unterminated quote: take the rest
          i = n;
          break;
        }
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // anything after the closing quote up to the delimiter is kept as text
      let rest = '';
      while (i < n && !isSep(line[i])) rest += line[i++];
      field = (field + rest.trim()).trim();
    } else {
      const start = i;
      while (i < n && !isSep(line[i])) i++;
      field = line.slice(start, i).trim();
    }
    fields.push(field);
    if (i >= n) break;
    // consume the delimiter
    if (delimiter === 'whitespace') {
      while (i < n && isSep(line[i])) i++;
      if (i >= n) break;
    } else {
      i++;
      if (i >= n) {
        fields.push('');
        break;
      }
    }
  }
  return fields;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][-+]?\d+)?$/;
const MISSING = new Set(['', 'nan', '-nan', '+nan', 'na', 'n/a', 'null', '--']);
const INFINITE = /^[-+]?(?:inf|infinity)$/i;

/** What one cell holds: a finite number, a missing value, an infinity, or text. */
export type CellValue =
  { kind: 'number'; value: number } | { kind: 'missing' } | { kind: 'infinite' } | { kind: 'text' };

/**
 * Parse a cell strictly: `1`, `-1.5e-3`, `.5`, `2.`, Fortran `1.0D+03`; with `decimalComma`
 * also `1,5`. Empty, `NaN`, `NA`, `N/A`, `null` and `--` are missing values. Anything else
 * (including `0x10`, `1 000`, `12abc`) is text.
 *
 * @example
 * parseCell('1,5', true); // { kind: 'number', value: 1.5 }
 */
export function parseCell(raw: string, decimalComma = false): CellValue {
  let s = raw;
  if (MISSING.has(s.toLowerCase())) return { kind: 'missing' };
  if (decimalComma && s.indexOf(',') >= 0) {
    if (s.indexOf('.') >= 0) return { kind: 'text' };
    s = s.replace(',', '.');
  }
  if (NUMBER.test(s)) {
    const v = Number(s.replace(/[dD]/, 'e'));
    return Number.isFinite(v) ? { kind: 'number', value: v } : { kind: 'infinite' };
  }
  if (INFINITE.test(s)) return { kind: 'infinite' };
  return { kind: 'text' };
}

/** True if a trimmed line is a comment (`#`, `%` or `//` by default). */
export function isCommentLine(trimmed: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (trimmed.startsWith(p)) return true;
  return false;
}
