import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/core/errors.js';
import { axisValues, coordinateAxis } from '../../src/data/axis.js';
import { calibrated, selectIndex } from '../../src/data/calibrated.js';
import { readGlotaranAscii, writeGlotaranAscii } from '../../src/io/glotaran-ascii.js';

const fixture = fileURLToPath(
  new URL('../../../shared/fixtures/kinetics/ta/glotaran_demo_Hippius2007.ascii', import.meta.url),
);
const haveFixture = existsSync(fixture);

describe.skipIf(!haveFixture)(
  'Glotaran ASCII: real transient-absorption file (shared/fixtures/kinetics/ta, absent in a fresh clone)',
  () => {
    const ta = haveFixture
      ? readGlotaranAscii(readFileSync(fixture), { fileName: 'glotaran_demo_Hippius2007.ascii' })
      : null!;

    it('reads the 335 times x 346 wavelengths matrix time-major', () => {
      expect(ta.axes.map((a) => `${a.name}[${a.size}] ${a.unit}`)).toEqual([
        'time[335] ps',
        'wavelength[346] nm',
      ]);
      const t = axisValues(ta.axes[0]);
      const w = axisValues(ta.axes[1]);
      expect(t[0]).toBe(-0.00095);
      expect(t[334]).toBe(909.8548);
      expect(w[0]).toBe(377.96045);
      expect(w[345]).toBe(854.40436);
      expect(ta.metadata.format).toBe('Glotaran ASCII (time explicit)');
      expect((ta.metadata.header as string[])[1]).toMatch(/co_mg6-tol/);
    });

    it('puts each value at (time, wavelength) as in the file', () => {
      // file row 6 = wavelength 377.96045: values at the first two times and the last time
      expect(ta.data[0 * 346 + 0]).toBe(-0.00403);
      expect(ta.data[1 * 346 + 0]).toBe(-0.00055);
      expect(ta.data[334 * 346 + 0]).toBe(-0.0014);
      // file row 100 (wavelength index 94), column 50 (time index 48)
      expect(axisValues(ta.axes[1])[94]).toBe(513.28418);
      expect(ta.data[48 * 346 + 94]).toBe(-0.00012);
      expect(ta.data[334 * 346 + 345]).toBe(-0.00319);
      const kinetic = selectIndex(ta, 'wavelength', 345);
      expect(kinetic.axes[0].name).toBe('time');
      expect(kinetic.data[0]).toBe(-0.00505);
    });
  },
);

describe('Glotaran ASCII: round trip and bad input', () => {
  const times = [-1, 0, 0.5, 1, 2, 5, 10];
  const wl = [500, 510, 520];
  const data = Float64Array.from(
    { length: times.length * wl.length },
    (_, i) => Math.sin(i) * 1e-3,
  );
  const a = calibrated(data, [
    coordinateAxis('time', 'ps', times),
    coordinateAxis('wavelength', 'nm', wl),
  ]);

  it('writes and reads back the same matrix', () => {
    const text = writeGlotaranAscii(a, { title: 'simulated' });
    expect(text.split('\n')[2]).toBe('Time explicit');
    const b = readGlotaranAscii(text);
    expect(Array.from(axisValues(b.axes[0]))).toEqual(times);
    expect(Array.from(axisValues(b.axes[1]))).toEqual(wl);
    expect(Array.from(b.data)).toEqual(Array.from(data));
  });

  it('reads the "Wavelength explicit" variant', () => {
    const text = [
      'Header',
      'Original filename: x',
      'Wavelength explicit',
      'intervalnr 3',
      '\t500\t510\t520',
      '0\t1\t2\t3',
      '1\t4\t5\t6',
    ].join('\r\n');
    const b = readGlotaranAscii(new TextEncoder().encode(text), { timeUnit: 'ns' });
    expect(b.axes.map((x) => `${x.name}[${x.size}] ${x.unit}`)).toEqual([
      'time[2] ns',
      'wavelength[3] nm',
    ]);
    expect(Array.from(b.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the row and column of bad cells and wrong counts', () => {
    const base = ['Header', 'x', 'Time explicit', 'intervalnr 2', '\t0\t1'];
    expect(() =>
      readGlotaranAscii([...base, '500\t1\tabc'].join('\n'), { fileName: 'ta.ascii' }),
    ).toThrow(/^ta\.ascii, row 6, column 3: "abc" is not a number/);
    expect(() =>
      readGlotaranAscii([...base, '500\t1'].join('\n'), { fileName: 'ta.ascii' }),
    ).toThrow(/row 6: expected 3 values/);
    expect(() =>
      readGlotaranAscii(
        ['Header', 'x', 'Time explicit', 'intervalnr 3', '\t0\t1', '500\t1\t2'].join('\n'),
      ),
    ).toThrow(/row 5: "intervalnr 3" but the axis line has 2 values/);
    expect(() => readGlotaranAscii('time,counts\n1,2\n')).toThrow(DataFormatError);
    expect(() =>
      readGlotaranAscii(['Header', 'x', 'Time explicit', 'nonsense'].join('\n')),
    ).toThrow(/row 4: expected "intervalnr N"/);
    expect(() => readGlotaranAscii(base.join('\n'))).toThrow(/no data rows/);
  });
});
