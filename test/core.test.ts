import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  VERSION,
  DataFormatError,
  NanolumError,
  quantity,
  formatQuantity,
  sha256Hex,
} from '../src/core/index.js';
import {
  calibrated,
  uniformAxis,
  coordinateAxis,
  selectIndex,
  sumAxis,
  toJSON,
  fromJSON,
  axisValues,
  axisIndex,
  fromXY,
  toXY,
} from '../src/data/index.js';

describe('core', () => {
  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
  it('errors name the file and row', () => {
    const e = new DataFormatError('cell "abc" is not a number', {
      file: 'decay.csv',
      row: 12,
      column: 'counts',
    });
    expect(e).toBeInstanceOf(NanolumError);
    expect(e.message).toBe('decay.csv, row 12, column counts: cell "abc" is not a number');
    expect(e.name).toBe('DataFormatError');
  });
  it('quantity drops non-finite stderr and formats to the uncertainty', () => {
    expect(quantity(1, 'ns', NaN).stderr).toBeNull();
    expect(formatQuantity(quantity(1.23456, 'ns', 0.0123))).toBe('1.235 ± 0.012 ns');
  });
  it('sha256 of "abc"', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('calibrated data', () => {
  const a = calibrated(
    Float64Array.from([1, 2, 3, 4, 5, 6]),
    [uniformAxis('x', 'um', 2, 0.5, 1), uniformAxis('time', 'ns', 3, 0.025)],
    { unit: 'counts' },
  );
  it('checks sizes', () => {
    expect(() =>
      calibrated(new Float64Array(5), [uniformAxis('x', '', 2), uniformAxis('y', '', 3)]),
    ).toThrow(/5 values/);
  });
  it('selects and sums along named axes', () => {
    const s = selectIndex(a, 'x', 1);
    expect(Array.from(s.data)).toEqual([4, 5, 6]);
    expect((s.metadata.selected as Record<string, { value: number }>).x.value).toBe(1.5);
    expect(Array.from(sumAxis(a, 'time').data)).toEqual([6, 15]);
    expect(Array.from(sumAxis(a, 'x').data)).toEqual([5, 7, 9]);
    expect(() => selectIndex(a, 'wavelength', 0)).toThrow(/axes are x, time/);
  });
  it('coordinate axes collapse to uniform when evenly spaced', () => {
    expect(coordinateAxis('t', 'ns', [0, 0.1, 0.2, 0.3]).coordinates).toBeUndefined();
    const ax = coordinateAxis('E', 'eV', [1, 1.5, 3]);
    expect(Array.from(axisValues(ax))).toEqual([1, 1.5, 3]);
    expect(axisIndex(ax, 1.6)).toBe(1);
  });
  it('round-trips through JSON', () => {
    const b = fromJSON(JSON.parse(JSON.stringify(toJSON(a))));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(b.axes[1]).toEqual(a.axes[1]);
    const xy = fromXY([1, 2, 4], [3, 4, 5], { xName: 'wavelength', xUnit: 'nm' });
    expect(Array.from(toXY(xy).x)).toEqual([1, 2, 4]);
  });
});
