/**
 * TPLM cubes from HDF5: synthetic cubes with known D written with h5wasm in the accepted layouts
 * (coordinate vectors, HyperSpy axes, dimension scales; any dimension order), read back,
 * analysed, D recovered; bad input; the CLI on an .h5 file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, InvalidInputError } from '../../src/core/errors.js';
import { axisValues } from '../../src/data/axis.js';
import type { CalibratedArray } from '../../src/data/calibrated.js';
import { type H5wasmModule, loadH5wasm } from '../../src/io/hdf5.js';
import {
  analyzeTransport,
  readTplmHdf5,
  readTplmText,
  synthesizeTplmCube,
} from '../../src/transport/index.js';
import { runCliCaptured as run } from '../helpers/cli.js';

type H5File = InstanceType<H5wasmModule['File']>;
let written = 0;

async function writeH5(build: (f: H5File) => void): Promise<Uint8Array> {
  const h5 = await loadH5wasm();
  const fs = h5.FS as unknown as { readFile(p: string): Uint8Array; unlink(p: string): void };
  const name = `/tplm-${++written}.h5`;
  const f = new h5.File(name, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
  const bytes = fs.readFile(name).slice();
  fs.unlink(name);
  return bytes;
}

/** Reorder a (time, x[, y]) cube to the dimension order `order` (indices into time, x, y). */
function permute(cube: CalibratedArray, order: number[]): Float64Array {
  const shape = cube.axes.map((a) => a.size);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = order.map((i) => shape[i]);
  const out = new Float64Array(cube.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let rem = k;
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[order[d]] = rem % outShape[d];
      rem = Math.floor(rem / outShape[d]);
    }
    out[k] = cube.data[idx.reduce((s, v, i) => s + v * strides[i], 0)];
  }
  return out;
}

const within = (value: number | null, truth: number, se: number | null, k = 3): void => {
  expect(value).not.toBeNull();
  expect(se).not.toBeNull();
  expect(Math.abs((value as number) - truth)).toBeLessThan(k * (se as number));
};

const truth = { sigma0Um: 0.3, dCm2PerS: 0.5, tauNs: 0.8, seed: 11 };
const cube1 = synthesizeTplmCube(truth); // 80 bins of 25 ps, 61 pixels of 50 nm centred on 0
const t1 = axisValues(cube1.axes[0]);
const x1 = axisValues(cube1.axes[1]);

describe('readTplmHdf5: write a synthetic cube, read it back, recover D', () => {
  it('coordinate vectors t_ns and x_um beside a (t, x) dataset `pl`: same cube, same analysis as the text path', async () => {
    const bytes = await writeH5((f) => {
      f.create_dataset({
        name: 'pl',
        data: Int32Array.from(cube1.data),
        shape: [t1.length, x1.length],
      });
      f.create_dataset({ name: 't_ns', data: t1 });
      f.create_dataset({ name: 'x_um', data: x1 });
    });
    const c = await readTplmHdf5(bytes, { fileName: 'scan.h5' });
    expect(c.axes.map((a) => [a.name, a.unit, a.size])).toEqual([
      ['time', 'ns', 80],
      ['x', 'um', 61],
    ]);
    expect(Array.from(c.data)).toEqual(Array.from(cube1.data));
    expect(c.metadata).toMatchObject({
      source: 'scan.h5',
      path: '/pl',
      layout: 'coordinates',
      timeDimension: 0,
    });
    const r = analyzeTransport(c);
    within(r.dAvgCm2PerS, 0.5, r.dAvgStderr);
    within(r.dLinear?.dCm2PerS ?? null, 0.5, r.dLinear?.stderr ?? null);
    // identical to the same cube read from text
    let text = `t(ns)\\x(um),${Array.from(x1).join(',')}\n`;
    for (let k = 0; k < t1.length; k++)
      text += `${t1[k]},${Array.from(cube1.data.subarray(k * 61, (k + 1) * 61)).join(',')}\n`;
    const rt = analyzeTransport(readTplmText(text));
    expect(r.dAvgCm2PerS).toBeCloseTo(rt.dAvgCm2PerS as number, 10);
    expect(r.tauPlNs).toBeCloseTo(rt.tauPlNs as number, 10);
  });

  it('HyperSpy layout stored as (x, t) with x in µm and time in ps: transposed and converted to ns', async () => {
    const bytes = await writeH5((f) => {
      f.create_attribute('file_format', 'HyperSpy');
      const s = f.create_group('Experiments').create_group('tplm');
      s.create_dataset({
        name: 'data',
        data: Float32Array.from(permute(cube1, [1, 0])),
        shape: [61, 80],
      });
      const axes = [
        { name: 'x', units: 'µm', scale: 0.05, offset: -1.5, size: 61, navigate: 1 },
        { name: 'time', units: 'ps', scale: 25, offset: 0, size: 80, navigate: 0 },
      ];
      axes.forEach((a, i) => {
        const g = s.create_group(`axis-${i}`);
        for (const [k, v] of Object.entries(a)) g.create_attribute(k, v);
      });
      s.create_group('metadata').create_group('Signal').create_attribute('quantity', 'PL (counts)');
    });
    const c = await readTplmHdf5(bytes, { fileName: 'tplm.hspy' });
    expect(c.axes.map((a) => [a.name, a.unit, a.size])).toEqual([
      ['time', 'ns', 80],
      ['x', 'um', 61],
    ]);
    expect(c.axes[0].scale).toBeCloseTo(0.025, 12);
    expect(c.axes[1].offset).toBeCloseTo(-1.5, 12);
    expect(c.metadata).toMatchObject({
      layout: 'hyperspy',
      path: '/Experiments/tplm/data',
      timeDimension: 1,
      storedShape: [61, 80],
    });
    expect(Array.from(c.data)).toEqual(Array.from(cube1.data)); // counts are exact in float32
    const r = analyzeTransport(c);
    within(r.dAvgCm2PerS, 0.5, r.dAvgStderr);
    within(r.diffusionLengthNm, 200, r.diffusionLengthStderr, 4);
  });

  it('PL(x, y, t) stored as (x, y, t) with an "axes" attribute and nm coordinate vectors', async () => {
    const cube2 = synthesizeTplmCube({
      sigma0Um: 0.3,
      dCm2PerS: 1,
      tauNs: 0.6,
      dimension: 2,
      pixels: 25,
      pitchUm: 0.12,
      bins: 40,
      seed: 2,
    });
    const t = axisValues(cube2.axes[0]);
    const x = axisValues(cube2.axes[1]);
    const bytes = await writeH5((f) => {
      const g = f.create_group('scan');
      const d = g.create_dataset({
        name: 'counts',
        data: permute(cube2, [1, 2, 0]),
        shape: [25, 25, 40],
      });
      d.create_attribute('axes', ['x', 'y', 't']);
      g.create_dataset({ name: 'time_ps', data: Float64Array.from(t, (v) => v * 1000) });
      g.create_dataset({ name: 'x_nm', data: Float64Array.from(x, (v) => v * 1000) });
      g.create_dataset({ name: 'y_nm', data: Float64Array.from(x, (v) => v * 1000) });
    });
    const c = await readTplmHdf5(bytes, { fileName: 'map.h5' });
    expect(c.axes.map((a) => [a.name, a.unit, a.size])).toEqual([
      ['time', 'ns', 40],
      ['x', 'nm', 25],
      ['y', 'nm', 25],
    ]);
    expect(c.metadata.timeDimension).toBe(2);
    expect(Array.from(c.data)).toEqual(Array.from(cube2.data));
    const r = analyzeTransport(c);
    expect(r.model).toBe('gauss2d');
    within(r.dAvgCm2PerS, 1, r.dAvgStderr);
  });

  it('HDF5 dimension scales (h5py dims) with units; equal lengths need timeAxis', async () => {
    const cube3 = synthesizeTplmCube({ ...truth, bins: 61 }); // 61 times x 61 positions
    const t = axisValues(cube3.axes[0]);
    const x = axisValues(cube3.axes[1]);
    const scaled = await writeH5((f) => {
      const d = f.create_dataset({ name: 'pl', data: cube3.data, shape: [61, 61] });
      const ts = f.create_dataset({ name: 'delay', data: t });
      ts.create_attribute('units', 'ns');
      ts.make_scale('delay');
      const xs = f.create_dataset({ name: 'position', data: x });
      xs.create_attribute('units', 'um');
      xs.make_scale('position');
      d.attach_scale(0, '/delay');
      d.attach_scale(1, '/position');
    });
    const c = await readTplmHdf5(scaled, { fileName: 'dims.h5' });
    expect(c.metadata.layout).toBe('dimension-scales');
    expect(Array.from(c.data)).toEqual(Array.from(cube3.data));
    // the same vectors without names on the data: ambiguous by length
    const bare = await writeH5((f) => {
      f.create_dataset({ name: 'pl', data: permute(cube3, [1, 0]), shape: [61, 61] });
      f.create_dataset({ name: 't_ns', data: t });
      f.create_dataset({ name: 'x_um', data: x });
    });
    await expect(readTplmHdf5(bare, { fileName: 'bare.h5' })).rejects.toThrow(
      /bare\.h5: cannot tell which dimension of "\/pl" \(shape 61 x 61\) is time: 2 have the length of \/t_ns/,
    );
    const c2 = await readTplmHdf5(bare, { fileName: 'bare.h5', timeAxis: 1 });
    expect(Array.from(c2.data)).toEqual(Array.from(cube3.data));
    const r = analyzeTransport(c2);
    within(r.dAvgCm2PerS, 0.5, r.dAvgStderr);
  });

  it('bad input: clear errors naming the file and dataset', async () => {
    await expect(
      readTplmHdf5(new TextEncoder().encode('t,x,counts\n0,0,1\n'), { fileName: 'cube.h5' }),
    ).rejects.toThrow(/cube\.h5: not an HDF5 file/);
    const onlyVectors = await writeH5((f) => {
      f.create_dataset({ name: 't_ns', data: t1 });
      f.create_attribute('note', 'no cube here');
    });
    await expect(readTplmHdf5(onlyVectors, { fileName: 'v.h5' })).rejects.toThrow(
      /v\.h5: no 2-D or 3-D numeric dataset to read as PL\(t, x\[, y\]\); datasets: \/t_ns \(80 float64\)/,
    );
    await expect(readTplmHdf5(onlyVectors, { fileName: 'v.h5', path: '/t_ns' })).rejects.toThrow(
      /has 1 dimension\(s\)/,
    );
    await expect(readTplmHdf5(onlyVectors, { fileName: 'v.h5', path: '/cube' })).rejects.toThrow(
      /no dataset "\/cube"/,
    );
    const uncalibrated = await writeH5((f) => {
      f.create_dataset({ name: 'pl', data: cube1.data, shape: [80, 61] });
    });
    await expect(readTplmHdf5(uncalibrated, { fileName: 'u.h5' })).rejects.toThrow(
      /u\.h5: cannot tell which dimension of "\/pl" \(shape 80 x 61\) is time: give an axis time units/,
    );
    await expect(readTplmHdf5(uncalibrated, { fileName: 'u.h5', timeAxis: 0 })).rejects.toThrow(
      /time dimension 0 of "\/pl" \(length 80\) has no calibration/,
    );
    await expect(readTplmHdf5(uncalibrated, { timeAxis: 2 })).rejects.toThrow(InvalidInputError);
    const badUnit = await writeH5((f) => {
      f.create_dataset({ name: 'pl', data: cube1.data, shape: [80, 61] });
      f.create_dataset({ name: 't_ns', data: t1 });
      const x = f.create_dataset({ name: 'x', data: x1 });
      x.create_attribute('units', 'eV');
    });
    await expect(readTplmHdf5(badUnit, { fileName: 'e.h5' })).rejects.toThrow(
      /position unit "eV" of dimension 1 of "\/pl" is not a length unit/,
    );
    const reversed = await writeH5((f) => {
      f.create_dataset({ name: 'pl', data: cube1.data, shape: [80, 61] });
      f.create_dataset({ name: 't_ns', data: t1.slice().reverse() });
      f.create_dataset({ name: 'x_um', data: x1 });
    });
    const e = await readTplmHdf5(reversed, { fileName: 'r.h5' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as Error).message).toMatch(/r\.h5: time values must increase/);
  });
});

describe('nanolum transport analyze on an HDF5 cube', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nanolum-tplm-h5-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .h5 by its signature; --dataset and --time-axis choose the data; a text file named .h5 is refused', async () => {
    const cube = synthesizeTplmCube({ ...truth, bins: 40, seed: 5 });
    const bytes = await writeH5((f) => {
      const g = f.create_group('run1');
      g.create_dataset({ name: 'pl', data: permute(cube, [1, 0]), shape: [61, 40] });
      g.create_dataset({ name: 't_ns', data: axisValues(cube.axes[0]) });
      g.create_dataset({ name: 'x_um', data: axisValues(cube.axes[1]) });
      f.create_dataset({ name: 'bigger_junk', data: new Float64Array(61 * 61), shape: [61, 61] });
    });
    const file = join(dir, 'scan.h5');
    writeFileSync(file, bytes);
    const r = await run([
      'transport',
      'analyze',
      file,
      '--dataset',
      '/run1/pl',
      '--time-axis',
      '1',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(Math.abs(j.dAvgCm2PerS - 0.5)).toBeLessThan(4 * j.dAvgStderr);
    expect(j.provenance.inputs[0].name).toBe('scan.h5');
    const missing = await run(['transport', 'analyze', file, '--dataset', '/run2/pl']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(
      /scan\.h5: no dataset "\/run2\/pl"; datasets in the file: .*\/run1\/pl \(61 x 40 float64\)/,
    );
    const fake = join(dir, 'fake.h5');
    writeFileSync(fake, 't(ns)\\x(um),-1,0,1\n0,1,2,1\n');
    const bad = await run(['transport', 'analyze', fake]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/fake\.h5: not an HDF5 file/);
  });
});
