import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFormatError, InvalidInputError } from '../../src/core/errors.js';
import { axisValues, isUniform } from '../../src/data/axis.js';
import {
  column,
  columnIndex,
  decodeText,
  looksLikeUnit,
  parseCell,
  parseHeaderName,
  readTable,
  splitFields,
  tableToCalibrated,
} from '../../src/io/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = resolve(here, '../../../shared/fixtures');
const TRPL = join(FIXTURES, 'kinetics/trpl');
const XPS = join(FIXTURES, 'xps');
const haveFixtures = existsSync(TRPL) && existsSync(XPS);

/** Catch the error a function throws (fails the test if it does not throw). */
function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** An independent reference parse: split on the given pattern, Number() every cell. */
function naiveColumns(
  text: string,
  sep: RegExp,
  skip: (line: string) => boolean = () => false,
): number[][] {
  const rows = text
    .split('\n')
    .filter((l) => l.trim() !== '' && !skip(l))
    .map((l) => l.trim().split(sep).map(Number));
  return rows[0].map((_, c) => rows.map((r) => r[c]));
}

describe.skipIf(!haveFixtures)(
  'real files in ../shared/fixtures (skipped: fixtures folder absent)',
  () => {
    const files = [
      { path: join(TRPL, 'fullsms_Decaytrace1.txt'), delimiter: 'whitespace', cols: 2, sep: / +/ },
      { path: join(TRPL, 'fullsms_IRF_data.txt'), delimiter: '\t', cols: 2, sep: /\t/ },
      { path: join(TRPL, 'pears_BTD_TRPL_processed.txt'), delimiter: '\t', cols: 6, sep: /\t/ },
      {
        path: join(TRPL, 'pears_BT_TRPL_processed.txt'),
        delimiter: 'whitespace',
        cols: 4,
        sep: / +/,
      },
      { path: join(XPS, 'lmfitxps_clean_Au_4f.csv'), delimiter: ',', cols: 2, sep: /,/ },
    ] as const;
    for (const f of files) {
      it(`reads ${f.path.split('/').pop()} exactly as a plain split does`, () => {
        const bytes = readFileSync(f.path);
        const t = readTable(bytes, { fileName: f.path.split('/').pop() });
        expect(t.metadata.delimiter).toBe(f.delimiter);
        expect(t.columns).toHaveLength(f.cols);
        const ref = naiveColumns(bytes.toString('utf8'), f.sep, (l) => l.startsWith('#'));
        expect(t.metadata.rowCount).toBe(ref[0].length);
        for (let c = 0; c < f.cols; c++) expect(Array.from(t.columns[c].values)).toEqual(ref[c]);
      });
    }
    it('the single-particle decay has 4 ps bins over 15 ns', () => {
      const t = readTable(readFileSync(join(TRPL, 'fullsms_Decaytrace1.txt')));
      const d = tableToCalibrated(t, 1, 2);
      expect(isUniform(d.axes[0])).toBe(true);
      expect(d.axes[0].scale).toBeCloseTo(0.004, 12);
      expect(d.axes[0].size).toBe(3750);
    });
    it('the XPS file keeps its comment header and has no column names', () => {
      const t = readTable(readFileSync(join(XPS, 'lmfitxps_clean_Au_4f.csv')), {
        fileName: 'au4f.csv',
      });
      expect(t.metadata.headerLines).toEqual([
        '#E_kin, intensity measured at BL11, DELTA, TU Dortmund, hv=180eV',
      ]);
      expect(t.metadata.comments[0]).toMatch(/^E_kin, intensity/);
      expect(t.metadata.firstDataLine).toBe(2);
      expect(t.metadata.namesRow).toBe(false);
      expect(t.columns.map((c) => c.name)).toEqual(['col1', 'col2']);
    });
  },
);

describe('delimiters and headers', () => {
  it('CSV with units in the names', () => {
    const t = readTable('time (ns),counts\n0,10\n0.5,8\n1,6\n', { fileName: 'decay.csv' });
    expect(t.metadata.delimiter).toBe(',');
    expect(t.columns.map((c) => [c.name, c.unit, c.label])).toEqual([
      ['time', 'ns', 'time (ns)'],
      ['counts', 'counts', 'counts'],
    ]);
    expect(Array.from(t.columns[0].values)).toEqual([0, 0.5, 1]);
    expect(t.metadata.firstDataLine).toBe(2);
    expect(t.metadata.headerLines).toEqual(['time (ns),counts']);
  });
  it('TSV with [unit] names, and ISO "quantity / unit"', () => {
    const t = readTable('Time [ns]\tPL [a.u.]\n1\t2\n3\t4\n');
    expect(t.metadata.delimiter).toBe('\t');
    expect(t.columns.map((c) => [c.name, c.unit])).toEqual([
      ['Time', 'ns'],
      ['PL', 'a.u.'],
    ]);
    const iso = readTable('t / ps;E/eV;rate\n1;2;3\n');
    expect(iso.columns.map((c) => [c.name, c.unit])).toEqual([
      ['t', 'ps'],
      ['E', 'eV'],
      ['rate', ''],
    ]);
  });
  it('counts/s is a unit, not "counts in seconds"', () => {
    expect(parseHeaderName('counts/s')).toEqual({ name: 'counts/s', unit: 'counts/s' });
    expect(parseHeaderName('cts/s')).toEqual({ name: 'cts/s', unit: 'cts/s' });
    expect(parseHeaderName('t/ns')).toEqual({ name: 't', unit: 'ns' });
    expect(parseHeaderName('Intensity (counts/s)')).toEqual({
      name: 'Intensity',
      unit: 'counts/s',
    });
    expect(parseHeaderName('sample 3')).toEqual({ name: 'sample 3', unit: '' });
  });
  it('a units row under the names', () => {
    const t = readTable('Time,Intensity\nns,counts\n1,2\n3,4\n');
    expect(t.metadata.unitsRow).toBe(true);
    expect(t.columns.map((c) => [c.name, c.unit, c.label])).toEqual([
      ['Time', 'ns', 'Time (ns)'],
      ['Intensity', 'counts', 'Intensity (counts)'],
    ]);
    expect(t.metadata.firstDataLine).toBe(3);
  });
  it('German Origin export: semicolons, decimal commas, Long Name / Units / Comments rows', () => {
    const text = 'Zeit;Intensität\nns;a.u.\nProbe A;Probe A\n0,5;1,25\n1,0;2,5E-3\n-1,5;3\n';
    const t = readTable(text);
    expect(t.metadata.delimiter).toBe(';');
    expect(t.metadata.decimalSeparator).toBe(',');
    expect(t.columns.map((c) => [c.name, c.unit])).toEqual([
      ['Zeit', 'ns'],
      ['Intensität', 'a.u.'],
    ]);
    expect(Array.from(t.columns[0].values)).toEqual([0.5, 1, -1.5]);
    expect(Array.from(t.columns[1].values)).toEqual([1.25, 2.5e-3, 3]);
    expect(t.metadata.headerLines).toHaveLength(3);
  });
  it('decimal commas in a tab file and in a whitespace file', () => {
    expect(Array.from(readTable('1,5\t2,25\n3,5\t4\n').columns[1].values)).toEqual([2.25, 4]);
    const w = readTable('1,5  2,25\n3,5  4,0\n');
    expect(w.metadata.delimiter).toBe('whitespace');
    expect(Array.from(w.columns[0].values)).toEqual([1.5, 3.5]);
  });
  it('BOM, CRLF and blank trailing lines (string and bytes)', () => {
    const text = '\ufefftime,counts\r\n1,2\r\n3,4\r\n\r\n\r\n';
    for (const input of [text, new TextEncoder().encode(text)]) {
      const t = readTable(input);
      expect(t.metadata.bom).toBe(true);
      expect(t.metadata.lineEnding).toBe('\r\n');
      expect(t.columns[0].name).toBe('time');
      expect(t.metadata.rowCount).toBe(2);
      expect(t.metadata.headerLines).toEqual(['time,counts']);
    }
  });
  it('old Mac CR line ends', () => {
    const t = readTable('x y\r1 2\r3 4\r');
    expect(t.metadata.lineEnding).toBe('\r');
    expect(Array.from(t.columns[1].values)).toEqual([2, 4]);
  });
  it('UTF-16 with BOM and Windows-1252 bytes (µ in a unit)', () => {
    const s = 'Zeit (µs)\tI\n1\t2\n';
    const u16 = new Uint8Array(2 + s.length * 2);
    u16[0] = 0xff;
    u16[1] = 0xfe;
    for (let i = 0; i < s.length; i++) u16[2 + 2 * i] = s.charCodeAt(i);
    const a = readTable(u16);
    expect(a.metadata.encoding).toBe('utf-16le');
    expect(a.columns[0].unit).toBe('µs');
    const latin1 = Uint8Array.from(s, (ch) => ch.charCodeAt(0)); // µ = 0xb5, not valid UTF-8
    const b = readTable(latin1);
    expect(b.metadata.encoding).toBe('windows-1252');
    expect(b.columns[0].unit).toBe('µs');
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x31]))).toEqual({
      text: '1',
      bom: true,
      encoding: 'utf-8',
    });
  });
  it('quoted fields with delimiters and doubled quotes', () => {
    expect(splitFields('"time, ns","say ""hi""",3', ',')).toEqual(['time, ns', 'say "hi"', '3']);
    expect(splitFields('"a b"  c', 'whitespace')).toEqual(['a b', 'c']);
    const t = readTable('"time, in ns","counts"\n"1","2"\n"3",4\n');
    expect(t.columns.map((c) => c.name)).toEqual(['time, in ns', 'counts']);
    expect(Array.from(t.columns[0].values)).toEqual([1, 3]);
  });
  it('comment lines (#, %, //) anywhere, names in the last comment line', () => {
    const t = readTable(
      '# measured 2024\n% setup B\n// time counts\n1 2\n# a comment inside the data\n3 4\n',
    );
    expect(t.metadata.comments).toEqual([
      'measured 2024',
      'setup B',
      'time counts',
      'a comment inside the data',
    ]);
    expect(t.columns.map((c) => c.name)).toEqual(['time', 'counts']);
    expect(t.metadata.namesRow).toBe(true);
    expect(Array.from(t.columns[1].values)).toEqual([2, 4]);
  });
  it('whitespace names with units in parentheses stay together', () => {
    const t = readTable('time (ns)   counts\n0.0   5\n0.1   7\n');
    expect(t.columns.map((c) => [c.name, c.unit])).toEqual([
      ['time', 'ns'],
      ['counts', 'counts'],
    ]);
  });
  it('free-text instrument header lines before the names', () => {
    const t = readTable(
      'Sample: CsPbBr3 NCs\nDate: 2024-05-01\nExcitation 405 nm, 1 MHz\ntime,counts\n0,1\n1,2\n',
    );
    expect(t.columns.map((c) => c.name)).toEqual(['time', 'counts']);
    expect(t.metadata.headerLines).toHaveLength(4);
    expect(t.metadata.firstDataLine).toBe(5);
  });
  it("Excel's trailing delimiters and empty ,,, lines", () => {
    const t = readTable('a,b,\n1,2,\n3,4,\n,,\n,,\n');
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(t.metadata.rowCount).toBe(2);
  });
  it('a single column, Fortran D exponents, signs and bare decimals', () => {
    const t = readTable('1.0D+03\n-.5\n+2.\n3e-2\n');
    expect(t.columns).toHaveLength(1);
    expect(Array.from(t.columns[0].values)).toEqual([1000, -0.5, 2, 0.03]);
  });
  it('numpy.savetxt output round-trips for every delimiter and decimal style', () => {
    let s = 12345;
    const rnd = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const cols = [0, 1, 2].map(() =>
      Array.from({ length: 40 }, () => (rnd() - 0.3) * 10 ** Math.floor(rnd() * 8 - 4)),
    );
    const styles: Array<{ sep: string; dec: '.' | ','; delimiter: string }> = [
      { sep: ',', dec: '.', delimiter: ',' },
      { sep: '\t', dec: '.', delimiter: '\t' },
      { sep: ';', dec: '.', delimiter: ';' },
      { sep: ';', dec: ',', delimiter: ';' },
      { sep: '   ', dec: '.', delimiter: 'whitespace' },
      { sep: '\t', dec: ',', delimiter: '\t' },
    ];
    for (const st of styles) {
      const fmt = (v: number): string => (st.dec === ',' ? String(v).replace('.', ',') : String(v));
      const text = `# x y z\n${cols[0].map((_, i) => cols.map((c) => fmt(c[i])).join(st.sep)).join('\n')}\n`;
      const t = readTable(text);
      expect(t.metadata.delimiter).toBe(st.delimiter);
      expect(t.metadata.decimalSeparator).toBe(st.dec);
      for (let c = 0; c < 3; c++) expect(Array.from(t.columns[c].values)).toEqual(cols[c]);
    }
  });
  it('an explicit delimiter overrides detection', () => {
    const t = readTable('1;2,5\n3;4,5\n', { delimiter: ';', decimal: ',' });
    expect(Array.from(t.columns[1].values)).toEqual([2.5, 4.5]);
  });
});

describe('errors name the file, row and column', () => {
  it('a text cell in the data', () => {
    const e = caught(() =>
      readTable('time (ns),counts\n0,10\n1,8\n2,abc\n3,5\n', { fileName: 'decay.csv' }),
    );
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e.message).toBe('decay.csv, row 4, column 2 (counts): "abc" is not a number');
    expect((e as DataFormatError).location).toEqual({
      file: 'decay.csv',
      row: 4,
      column: '2 (counts)',
    });
  });
  it('a text cell in the first data row, and line numbers that count comments and blanks', () => {
    const e = caught(() =>
      readTable('# c\n\ntime,counts\n1,x12\n2,3\n4,5\n', { fileName: 'd.csv' }),
    );
    expect(e.message).toBe('d.csv, row 4, column 2 (counts): "x12" is not a number');
    const e2 = caught(() => readTable('1 2\n3 4\n\n# note\n5 oops\n', { fileName: 'w.txt' }));
    expect(e2.message).toBe('w.txt, row 5, column 2: "oops" is not a number');
  });
  it('ragged rows: too few and too many values', () => {
    const few = caught(() => readTable('a,b,c\n1,2,3\n4,5\n6,7,8\n', { fileName: 'r.csv' }));
    expect(few).toBeInstanceOf(DataFormatError);
    expect(few.message).toBe('r.csv, row 3: row has 2 values but the table has 3 columns');
    const many = caught(() => readTable('1\t2\n3\t4\t5\n6\t7\n8\t9\n', { fileName: 'r.tsv' }));
    expect(many.message).toBe('r.tsv, row 2: row has 3 values but the table has 2 columns');
  });
  it('empty files, comment-only files and files without numbers', () => {
    expect(caught(() => readTable('', { fileName: 'e.csv' })).message).toBe(
      'e.csv: the file is empty',
    );
    expect(caught(() => readTable(new Uint8Array(0))).message).toBe('the file is empty');
    expect(caught(() => readTable(' \n\r\n\n')).message).toBe('the file is empty');
    expect(caught(() => readTable('# only\n# comments\n')).message).toMatch(
      /only comment lines \(2\) and no rows of numbers/,
    );
    const text = caught(() => readTable('name,value\nfoo,bar\n', { fileName: 't.csv' }));
    expect(text).toBeInstanceOf(DataFormatError);
    expect(text.message).toMatch(/^t\.csv: no rows of numbers found .*first: "name,value"/);
  });
  it('missing values: an error by default, NaN on request', () => {
    const text = 'x,y\n1,2\n2,\n3,NaN\n4,nan\n';
    const e = caught(() => readTable(text, { fileName: 'm.csv' }));
    expect(e.message).toMatch(/^m\.csv, row 3, column 2 \(y\): empty cell \(missing value\)/);
    const t = readTable(text, { missing: 'nan' });
    expect(Array.from(t.columns[1].values)).toEqual([2, NaN, NaN, NaN]);
    expect(t.metadata.missingCount).toBe(3);
  });
  it('infinities and hexadecimal are not numbers', () => {
    expect(caught(() => readTable('1,2\n3,inf\n')).message).toBe(
      'row 2, column 2: "inf" is not a finite number',
    );
    expect(caught(() => readTable('1,2\n3,0x10\n')).message).toBe(
      'row 2, column 2: "0x10" is not a number',
    );
    expect(parseCell('1 000').kind).toBe('text');
    expect(parseCell('12abc').kind).toBe('text');
  });
});

describe('column lookup', () => {
  const t = readTable('time (ns),counts,Counts2\n0,1,2\n1,3,4\n');
  it('by name (case-insensitive), header text, name with unit, or 1-based number', () => {
    expect(column(t, 'TIME').label).toBe('time (ns)');
    expect(column(t, 'time (ns)').name).toBe('time');
    expect(column(t, 'Time (NS)').name).toBe('time');
    expect(column(t, 2).name).toBe('counts');
    expect(column(t, '3').name).toBe('Counts2');
    expect(columnIndex(t, 'counts2')).toBe(2);
  });
  it('a missing column lists the columns', () => {
    const two = readTable('time (ns),counts\n0,1\n');
    const e = caught(() => column(two, 'cnts'));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toBe('no column "cnts"; columns are time (ns), counts');
    expect(caught(() => column(two, 3)).message).toBe(
      'no column 3; the table has 2 columns: time (ns), counts',
    );
    expect(caught(() => column(two, 0)).message).toMatch(/^no column 0/);
  });
  it('an ambiguous name asks for the number', () => {
    const dup = readTable('x,y,y\n1,2,3\n');
    expect(caught(() => column(dup, 'y')).message).toMatch(/ambiguous: columns 2 and 3/);
  });
});

describe('tableToCalibrated', () => {
  const t = readTable('time (ns),PL (counts),ref (counts)\n0,10,1\n0.5,8,2\n1,6,3\n');
  it('one y column gives a 1-D array with a named, calibrated axis', () => {
    const a = tableToCalibrated(t, 'time', 'PL');
    expect(a.axes).toHaveLength(1);
    expect(a.axes[0]).toMatchObject({ name: 'time', unit: 'ns', size: 3, scale: 0.5, offset: 0 });
    expect(a.unit).toBe('counts');
    expect(a.name).toBe('PL');
    expect(Array.from(a.data)).toEqual([10, 8, 6]);
  });
  it('several y columns give a 2-D array with a column axis', () => {
    const a = tableToCalibrated(t, 1);
    expect(a.axes.map((x) => [x.name, x.size])).toEqual([
      ['column', 2],
      ['time', 3],
    ]);
    expect(Array.from(axisValues(a.axes[0]))).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([10, 8, 6, 1, 2, 3]);
    expect(a.unit).toBe('counts');
    expect((a.metadata.columns as Array<{ label: string }>).map((c) => c.label)).toEqual([
      'PL (counts)',
      'ref (counts)',
    ]);
  });
  it('non-uniform x keeps explicit coordinates; missing x is an error', () => {
    const nu = tableToCalibrated(readTable('x,y\n0,1\n1,2\n3,3\n'), 'x', 'y');
    expect(Array.from(nu.axes[0].coordinates!)).toEqual([0, 1, 3]);
    const withNaN = readTable('x,y\n0,1\n,2\n', { missing: 'nan' });
    expect(caught(() => tableToCalibrated(withNaN, 'x', 'y')).message).toMatch(
      /x column x has a missing value \(data row 2\)/,
    );
    expect(caught(() => tableToCalibrated(readTable('1\n2\n'), 1)).message).toMatch(/no y column/);
  });
});

describe('helpers', () => {
  it('recognises unit cells', () => {
    for (const u of ['ns', '(ns)', '[eV]', 'counts/s', 'a.u.', 'cm^-1', 'µJ/cm²', '%', 'mOD'])
      expect(looksLikeUnit(u)).toBe(true);
    for (const u of ['', 'sample A, 300 K', '12', 'Probe A']) expect(looksLikeUnit(u)).toBe(false);
  });
});
