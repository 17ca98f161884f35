import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/core/errors.js';
import { axisValues } from '../../src/data/axis.js';
import { readTimeWavelengthMatrix } from '../../src/io/matrix.js';

describe('time x wavelength matrix in delimited text', () => {
  it('reads a CSV with a labelled corner and takes the time unit from it', () => {
    const text = 'time (ns),500,510,520\n0,1,2,3\n0.5,4,5,6\n1,7,8,9\n';
    const a = readTimeWavelengthMatrix(text, { fileName: 'ta.csv' });
    expect(a.axes.map((x) => `${x.name}[${x.size}] ${x.unit}`)).toEqual([
      'time[3] ns',
      'wavelength[3] nm',
    ]);
    expect(Array.from(axisValues(a.axes[0]))).toEqual([0, 0.5, 1]);
    expect(Array.from(axisValues(a.axes[1]))).toEqual([500, 510, 520]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads a tab-separated matrix with an empty corner (numeric first row)', () => {
    const text = '\t400.5\t401.5\n-1\t0.1\t0.2\n2\t0.3\t0.4\n';
    const a = readTimeWavelengthMatrix(new TextEncoder().encode(text));
    expect(Array.from(axisValues(a.axes[1]))).toEqual([400.5, 401.5]);
    expect(Array.from(axisValues(a.axes[0]))).toEqual([-1, 2]);
    expect(a.axes[0].unit).toBe('ps');
    expect(Array.from(a.data)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('transposes a wavelength-rows file into time-major order', () => {
    const text = 'wavelength (nm),0,1,2\n500,1,2,3\n510,4,5,6\n';
    const a = readTimeWavelengthMatrix(text);
    expect(a.metadata.orientation).toBe('wavelength-rows');
    expect(a.axes.map((x) => `${x.name}[${x.size}]`)).toEqual(['time[3]', 'wavelength[2]']);
    expect(Array.from(a.data)).toEqual([1, 4, 2, 5, 3, 6]);
    const forced = readTimeWavelengthMatrix('\t0\t1\n500\t1\t2\n510\t3\t4\n', {
      orientation: 'wavelength-rows',
      timeUnit: 'fs',
    });
    expect(forced.axes[0].unit).toBe('fs');
    expect(Array.from(forced.data)).toEqual([1, 3, 2, 4]);
  });

  it('keeps missing cells as NaN and counts them', () => {
    const a = readTimeWavelengthMatrix('time,500,510\n0,1,NaN\n1,,4\n');
    expect(a.metadata.missingValues).toBe(2);
    expect(Number.isNaN(a.data[1])).toBe(true);
  });

  it('names the row and column of bad input', () => {
    expect(() => readTimeWavelengthMatrix('time,500,abc\n0,1,2\n', { fileName: 'm.csv' })).toThrow(
      /m\.csv, row 1, column 3: column header "abc"/,
    );
    expect(() =>
      readTimeWavelengthMatrix('time,500,510\n0,1,2\n1,x,3\n', { fileName: 'm.csv' }),
    ).toThrow(DataFormatError);
    expect(() => readTimeWavelengthMatrix('1,2,3\n4,5,6\n', { fileName: 'm.csv' })).toThrow(
      /top-left cell must be empty/,
    );
    expect(() => readTimeWavelengthMatrix('time,500,510\n,1,2\n', { fileName: 'm.csv' })).toThrow(
      /row 2, column 1: the first column/,
    );
  });
});
