import { describe, expect, it } from 'vitest';
import { DataFormatError, InvalidInputError } from '../../src/core/errors.js';
import { axisValues } from '../../src/data/axis.js';
import { fromXY } from '../../src/data/calibrated.js';
import { cubeFromDecays, readTplmText } from '../../src/transport/index.js';

describe('TPLM cubes from text', () => {
  it('matrix layout with units in the corner cell (ps -> ns, nm)', () => {
    const text = '# TPLM scan\nt(ps)\\x(nm),-100,0,100\n0,5,20,5\n25,6,18,6\n50,7,16,7\n';
    const c = readTplmText(text, { fileName: 'scan.csv' });
    expect(c.axes.map((a) => [a.name, a.unit, a.size])).toEqual([
      ['time', 'ns', 3],
      ['x', 'nm', 3],
    ]);
    expect(Array.from(axisValues(c.axes[0]))).toEqual([0, 0.025, 0.05]);
    expect(Array.from(c.data)).toEqual([5, 20, 5, 6, 18, 6, 7, 16, 7]);
  });

  it('matrix layout, tab separated, defaults ns and um', () => {
    const c = readTplmText('time\t-1\t0\t1\n0\t1\t2\t1\n1\t1\t1\t1\n');
    expect(c.axes[1].unit).toBe('um');
    expect(c.axes[0].unit).toBe('ns');
  });

  it('long layout, 1-D and 2-D, rows in any order', () => {
    const rows = ['t_ns,x_um,counts'];
    for (const t of [0.05, 0, 0.025])
      for (const x of [1, -1, 0])
        rows.push(`${t},${x},${Math.round(10 * (t + 1) * (2 - Math.abs(x)))}`);
    const c = readTplmText(rows.join('\n'));
    expect(c.axes.map((a) => a.size)).toEqual([3, 3]);
    expect(c.data[1]).toBe(20); // t = 0, x = 0
    const r2 = ['t,x,y,pl'];
    for (const t of [0, 1])
      for (const x of [0, 1, 2])
        for (const y of [0, 1]) r2.push(`${t},${x},${y},${t * 100 + x * 10 + y}`);
    const c2 = readTplmText(r2.join('\n'));
    expect(c2.axes.map((a) => a.name)).toEqual(['time', 'x', 'y']);
    expect(c2.data[1 * 6 + 2 * 2 + 1]).toBe(121);
  });

  it('errors name the file, row and column', () => {
    expect(() => readTplmText('t\\x,-1,0,1\n0,1,abc,1\n', { fileName: 'bad.csv' })).toThrow(
      /bad\.csv, row 2, column 3: "abc" is not a number/,
    );
    expect(() => readTplmText('t\\x,-1,0,1\n0,1,2\n')).toThrow(DataFormatError);
    expect(() => readTplmText('t\\x,-1,0\n0,1,2\n')).toThrow(/at least 3/);
    expect(() => readTplmText('t,x,counts\n0,0,1\n0,1,1\n1,0,1\n')).toThrow(/do not fill the grid/);
    expect(() => readTplmText('a,b,c\n1,2,3\n')).toThrow(/long layout needs columns/);
    expect(() => readTplmText('t\\x,-1,0,1\n1,1,1,1\n0,1,1,1\n')).toThrow(/must increase/);
    expect(() => readTplmText('')).toThrow(DataFormatError);
  });

  it('a stack of per-position decays', () => {
    const t = [0, 0.025, 0.05];
    const d = (k: number) =>
      fromXY(
        t,
        t.map((_, i) => k * 10 + i),
        { xName: 'time', xUnit: 'ns' },
      );
    const c = cubeFromDecays([
      { position: 0.5, decay: d(3) },
      { position: -0.5, decay: d(1) },
      { position: 0, decay: d(2) },
    ]);
    expect(Array.from(axisValues(c.axes[1]))).toEqual([-0.5, 0, 0.5]);
    expect(Array.from(c.data.subarray(0, 3))).toEqual([10, 20, 30]);
    expect(() => cubeFromDecays([{ position: 0, decay: d(1) }])).toThrow(InvalidInputError);
    const other = fromXY([0, 0.03, 0.06], [1, 1, 1], { xName: 'time', xUnit: 'ns' });
    expect(() =>
      cubeFromDecays([
        { position: 0, decay: d(1) },
        { position: 1, decay: d(1) },
        { position: 2, decay: other },
      ]),
    ).toThrow(/different time axis/);
  });
});
