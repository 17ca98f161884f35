/**
 * HDF5 reader (h5wasm): tree, attributes, dtypes, calibration conventions (HyperSpy, Berkeley
 * EMD, dimension scales), bad input, no MEMFS leaks; real fixtures read in place; the same
 * reader bundled for browsers and run in headless Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFormatError, InvalidInputError } from '../../src/core/errors.js';
import { axisValues, sumAxis } from '../../src/data/index.js';
import {
  type Hdf5DatasetNode,
  type H5wasmModule,
  float16ToNumber,
  hdf5SignalPaths,
  isHdf5,
  loadH5wasm,
  readCalibratedHdf5,
  readHdf5,
} from '../../src/io/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const fixtures = path.resolve(root, '../shared/fixtures/em');
const CL = path.join(fixtures, 'cl/lumispy_nanoparticles_CL-SEM.hspy');
const ADF = path.join(fixtures, 'atomic/atomap_test_ADF_cropped.hdf5');
const EMD = path.join(fixtures, 'emd/example_image.emd');
const haveFixtures = existsSync(CL) && existsSync(ADF) && existsSync(EMD);
if (!haveFixtures)
  console.warn(
    `HDF5 fixture tests skipped: ${fixtures} is absent (it sits beside the repository, in ../shared)`,
  );

type H5File = InstanceType<H5wasmModule['File']>;
interface MemFs {
  readFile(p: string): Uint8Array;
  unlink(p: string): void;
  readdir(p: string): string[];
}
let written = 0;

/** Write an HDF5 file with h5wasm into its MEMFS and return the bytes. */
async function writeH5(build: (f: H5File) => void): Promise<Uint8Array> {
  const h5 = await loadH5wasm();
  const fs = h5.FS as unknown as MemFs;
  const name = `/test-written-${++written}.h5`;
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

async function scratchFiles(): Promise<string[]> {
  const fs = (await loadH5wasm()).FS as unknown as MemFs;
  return fs.readdir('/').filter((n) => n.startsWith('nanolum-hdf5-'));
}

describe('float16', () => {
  it('decodes half-precision bit patterns (normal, subnormal, zero, infinities, NaN)', () => {
    expect(float16ToNumber(0x3c00)).toBe(1);
    expect(float16ToNumber(0xc000)).toBe(-2);
    expect(float16ToNumber(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0x0400)).toBe(2 ** -14);
    expect(float16ToNumber(0x0001)).toBe(2 ** -24);
    expect(float16ToNumber(0x0000)).toBe(0);
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
    expect(float16ToNumber(0x7c00)).toBe(Infinity);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
    expect(float16ToNumber(0x7e00)).toBeNaN();
  });
});

describe('readHdf5: a file written with h5wasm', () => {
  const build = (f: H5File): void => {
    f.create_attribute('title', 'scan 7');
    f.create_attribute('count', 3);
    f.create_attribute('gains', [1.5, 2, 4]);
    f.create_attribute('names', ['a', 'bc']);
    const g = f.create_group('raw');
    g.create_attribute('operator', 'N. N.');
    g.create_dataset({ name: 'i16', data: new Int16Array([1, -2, 3, 4, 5, 6]), shape: [2, 3] });
    g.create_dataset({ name: 'u8', data: new Uint8Array([1, 2, 250]) });
    g.create_dataset({ name: 'i64', data: [1, -2, 2 ** 40], dtype: '<q' });
    g.create_dataset({ name: 'f32', data: new Float32Array([0.5, 1.5]) });
    g.create_dataset({ name: 'scalar', data: 4.25, shape: [] });
    g.create_dataset({ name: 'labels', data: ['alpha', 'beta'] });
    g.create_dataset({
      name: 'table',
      data: new Map<string, number[]>([
        ['id', [1, 3]],
        ['v', [2.5, 4.5]],
      ]) as never,
      dtype: [
        ['id', '<i4'],
        ['v', '<d'],
      ] as never,
    });
    const x = g.create_dataset({ name: 'x', data: new Float64Array([0, 0.1, 0.2]) });
    x.create_attribute('units', 'um');
    x.make_scale('x');
    const img = g.create_dataset({
      name: 'img',
      data: Float64Array.from({ length: 6 }, (_, i) => i * 10),
      shape: [2, 3],
    });
    img.create_attribute('units', 'counts');
    img.attach_scale(1, '/raw/x');
    img.set_dimension_label(0, 'row');
    f.create_soft_link('/raw/u8', 'alias');
    f.create_soft_link('/nowhere', 'dangling');
    f.create_external_link('other.h5', '/data', 'elsewhere');
  };

  it('gives the tree with attributes, shapes and dtypes, and typed arrays with dim axes', async () => {
    const f = await readHdf5(await writeH5(build), { fileName: 'written.h5' });
    expect(f.convention).toBe('hdf5');
    expect(f.root.attributes).toEqual({
      title: 'scan 7',
      count: 3,
      gains: [1.5, 2, 4],
      names: ['a', 'bc'],
    });
    expect((f.get('/raw') as { attributes: unknown }).attributes).toEqual({ operator: 'N. N.' });
    const dtypes = Object.fromEntries(
      f.datasetPaths().map((p) => [p, (f.get(p) as Hdf5DatasetNode).dtype]),
    );
    expect(dtypes).toEqual({
      '/raw/f32': 'float32',
      '/raw/i16': 'int16',
      '/raw/i64': 'int64',
      '/raw/img': 'float64',
      '/raw/labels': 'string',
      '/raw/scalar': 'float64',
      '/raw/table': 'compound',
      '/raw/u8': 'uint8',
      '/raw/x': 'float64',
    });
    const i16 = f.dataset('raw/i16');
    expect(i16.data).toBeInstanceOf(Int16Array);
    expect(Array.from(i16.data)).toEqual([1, -2, 3, 4, 5, 6]);
    expect(i16.axes.map((a) => [a.name, a.size, a.scale, a.offset, a.unit])).toEqual([
      ['dim0', 2, 1, 0, ''],
      ['dim1', 3, 1, 0, ''],
    ]);
    expect(i16.metadata).toMatchObject({
      source: 'written.h5',
      path: '/raw/i16',
      dtype: 'int16',
      calibration: 'none',
    });
    expect(f.dataset('/raw/u8').data).toBeInstanceOf(Uint8Array);
    const i64 = f.dataset('/raw/i64');
    expect(i64.data).toBeInstanceOf(Float64Array);
    expect(Array.from(i64.data)).toEqual([1, -2, 2 ** 40]);
    expect(f.dataset('/raw/f32').data).toBeInstanceOf(Float32Array);
    const scalar = f.dataset('/raw/scalar');
    expect(scalar.axes).toEqual([]);
    expect(scalar.data[0]).toBe(4.25);
    // JSON values of any dataset, nested by shape
    expect(f.value('/raw/i16')).toEqual([
      [1, -2, 3],
      [4, 5, 6],
    ]);
    expect(f.value('/raw/labels')).toEqual(['alpha', 'beta']);
    expect(f.value('/raw/table')).toEqual([
      { id: 1, v: 2.5 },
      { id: 3, v: 4.5 },
    ]);
    expect(f.value('/raw/scalar')).toBe(4.25);
    // the tree is plain JSON
    expect(JSON.parse(JSON.stringify(f.root)).children.length).toBe(f.root.children.length);
  });

  it('calibrates from HDF5 dimension scales and labels; follows soft links; lists links', async () => {
    const f = await readHdf5(await writeH5(build), { fileName: 'written.h5' });
    const img = f.dataset('/raw/img');
    expect(img.metadata.calibration).toBe('dimension-scales');
    expect(img.unit).toBe('counts');
    expect(img.axes[0]).toMatchObject({ name: 'row', size: 2, unit: '' });
    expect(img.axes[1]).toMatchObject({ name: 'x', unit: 'um', size: 3, offset: 0 });
    expect(img.axes[1].scale).toBeCloseTo(0.1, 12);
    expect(Array.from(f.dataset('/alias').data)).toEqual([1, 2, 250]);
    expect(f.get('/alias')).toMatchObject({ kind: 'link', target: '/raw/u8' });
    expect(f.get('/elsewhere')).toMatchObject({ kind: 'link', target: '/data', file: 'other.h5' });
    expect(() => f.dataset('/dangling')).toThrow(/link to "\/nowhere", which does not exist/);
    expect(() => f.dataset('/elsewhere')).toThrow(/another file \(other\.h5\)/);
  });

  it('errors: missing path lists the datasets; groups and non-numeric datasets are refused by name', async () => {
    const f = await readHdf5(await writeH5(build), { fileName: 'written.h5' });
    let err: unknown;
    try {
      f.dataset('/raw/nope');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as Error).message).toMatch(
      /^written\.h5: no dataset "\/raw\/nope"; datasets in the file: .*\/raw\/i16 \(2 x 3 int16\)/,
    );
    expect(() => f.dataset('/raw')).toThrow(
      /"\/raw" is a group, not a dataset; it holds the datasets .*i16/,
    );
    expect(() => f.dataset('/raw/labels')).toThrow(
      /written\.h5: dataset "\/raw\/labels" holds text \(strings\), not numbers/,
    );
    expect(() => f.dataset('/raw/table')).toThrow(DataFormatError);
    expect(() => f.dataset('/raw/table')).toThrow(/compound records/);
  });

  it('the load option skips datasets; skipped ones are refused with a clear message', async () => {
    const f = await readHdf5(await writeH5(build), {
      fileName: 'written.h5',
      load: (d) => d.name !== 'img',
    });
    expect((f.get('/raw/img') as Hdf5DatasetNode).shape).toEqual([2, 3]);
    expect(() => f.dataset('/raw/img')).toThrow(InvalidInputError);
    expect(() => f.dataset('/raw/img')).toThrow(/was not read \(the load option left it out\)/);
    expect(Array.from(f.dataset('/raw/u8').data)).toEqual([1, 2, 250]);
  });
});

describe('calibration conventions in files written with h5wasm', () => {
  it('HyperSpy layout: axis-i groups give names, units, scale, offset; navigate and metadata kept', async () => {
    const bytes = await writeH5((f) => {
      f.create_attribute('file_format', 'HyperSpy');
      f.create_attribute('file_format_version', '3.1');
      const s = f.create_group('Experiments').create_group('map');
      s.create_dataset({
        name: 'data',
        data: Float32Array.from({ length: 4 * 3 * 5 }, (_, i) => i),
        shape: [4, 3, 5],
      });
      const axes = [
        { name: 'y', units: 'µm', scale: 0.5, offset: -1, size: 4, navigate: 1 },
        { name: 'x', units: 'µm', scale: 0.5, offset: 2, size: 3, navigate: 1 },
        { name: 'Energy', units: '$eV$', scale: 0.01, offset: 2.2, size: 5, navigate: 0 },
      ];
      axes.forEach((a, i) => {
        const g = s.create_group(`axis-${i}`);
        for (const [k, v] of Object.entries(a))
          g.create_attribute(
            k,
            v,
            null,
            typeof v === 'number' && Number.isInteger(v) ? '<q' : null,
          );
      });
      const md = s.create_group('metadata');
      md.create_group('General').create_attribute('title', 'PL map');
      md.create_group('Signal').create_attribute('quantity', 'Intensity (counts)');
      s.create_group('original_metadata').create_attribute('instrument', 'home-built');
    });
    const a = await readCalibratedHdf5(bytes, { fileName: 'map.hspy' });
    expect(a.axes.map((x) => [x.name, x.unit, x.size, x.scale, x.offset])).toEqual([
      ['y', 'µm', 4, 0.5, -1],
      ['x', 'µm', 3, 0.5, 2],
      ['Energy', 'eV', 5, 0.01, 2.2],
    ]);
    expect(a.name).toBe('Intensity');
    expect(a.unit).toBe('counts');
    expect(a.data[2 * 15 + 1 * 5 + 3]).toBe(2 * 15 + 1 * 5 + 3);
    expect(a.metadata).toMatchObject({
      calibration: 'hyperspy',
      path: '/Experiments/map/data',
      hyperspy: {
        title: 'PL map',
        navigate: [true, true, false],
        fileFormatVersion: '3.1',
        originalMetadata: { instrument: 'home-built' },
      },
    });
    // the same signal asked for by its name
    expect((await readCalibratedHdf5(bytes, { path: 'map' })).axes[2].name).toBe('Energy');
  });

  it('Berkeley EMD layout: dim1..dimN vectors (full or start/step) with bracketed units', async () => {
    const bytes = await writeH5((f) => {
      f.create_attribute('version_major', 0, null, '<i4');
      f.create_attribute('version_minor', 2, null, '<i4');
      const g = f.create_group('data').create_group('haadf');
      g.create_attribute('emd_group_type', 1, null, '<i4');
      g.create_dataset({
        name: 'data',
        data: Int32Array.from({ length: 12 }, (_, i) => i),
        shape: [3, 4],
      });
      const d1 = g.create_dataset({ name: 'dim1', data: new Float64Array([10, 12.5, 15]) });
      d1.create_attribute('name', 'y');
      d1.create_attribute('units', '[n_m]');
      const d2 = g.create_dataset({ name: 'dim2', data: new Float64Array([0, 0.2]) });
      d2.create_attribute('name', 'x');
      d2.create_attribute('units', '[1/n_m]');
      f.create_group('microscope').create_attribute('voltage', 300);
    });
    const a = await readCalibratedHdf5(bytes, { fileName: 'img.emd' });
    expect(a.metadata).toMatchObject({
      calibration: 'emd',
      path: '/data/haadf/data',
      emd: { version: '0.2', microscope: { voltage: 300 } },
    });
    expect(a.axes.map((x) => [x.name, x.unit, x.size, x.offset])).toEqual([
      ['y', 'nm', 3, 10],
      ['x', '1/nm', 4, 0],
    ]);
    expect(a.axes[0].scale).toBeCloseTo(2.5, 12);
    expect(a.axes[1].scale).toBeCloseTo(0.2, 12);
  });

  it('several signals: the first is read, the others listed; hdf5SignalPaths orders them', async () => {
    const bytes = await writeH5((f) => {
      const e = f.create_group('Experiments');
      e.create_group('a').create_dataset({ name: 'data', data: new Float64Array([1, 2, 3]) });
      e.create_group('b').create_dataset({ name: 'data', data: new Float64Array([4, 5]) });
      f.create_dataset({ name: 'big', data: new Float64Array(100) });
    });
    const f = await readHdf5(bytes);
    expect(hdf5SignalPaths(f)).toEqual(['/Experiments/a/data', '/Experiments/b/data', '/big']);
    const a = await readCalibratedHdf5(bytes);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(a.metadata.otherSignals).toEqual(['/Experiments/b/data']);
  });
});

describe('bad input', () => {
  it('not HDF5, empty, truncated, damaged: DataFormatError naming the file; nothing left in MEMFS', async () => {
    const good = await writeH5((f) => {
      f.create_dataset({ name: 'v', data: Float64Array.from({ length: 500 }, (_, i) => i) });
    });
    expect(isHdf5(good)).toBe(true);
    expect(isHdf5(new TextEncoder().encode('t,x\n'))).toBe(false);
    await expect(
      readHdf5(new TextEncoder().encode('t(ns),x(um)\n0,1\n'), { fileName: 'cube.csv' }),
    ).rejects.toThrow(
      /^cube\.csv: not an HDF5 file: no HDF5 signature .* it looks like a text file/,
    );
    await expect(readHdf5(new Uint8Array(0), { fileName: 'empty.h5' })).rejects.toThrow(
      /empty\.h5: not an HDF5 file.*the file is empty/,
    );
    await expect(
      readHdf5(Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 2]), { fileName: 'img.tif' }),
    ).rejects.toThrow(/TIFF/);
    await expect(
      readHdf5(good.slice(0, good.length - 100), { fileName: 'cut.h5' }),
    ).rejects.toThrow(
      new RegExp(
        `^cut\\.h5: the HDF5 file is truncated: it has ${good.length - 100} bytes but its superblock says it ends at byte ${good.length} \\(100 bytes missing\\)`,
      ),
    );
    await expect(readHdf5(good.slice(0, 20), { fileName: 'cut.h5' })).rejects.toThrow(
      /truncated: .* ends inside its superblock/,
    );
    const damaged = good.slice();
    damaged.fill(0x55, 96, 1200);
    const e = await readHdf5(damaged, { fileName: 'bad.h5' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as Error).message).toMatch(/^bad\.h5: .*damaged.*\(HDF5: /);
    // a user block: the signature at byte 512
    const withUserBlock = new Uint8Array(512 + good.length);
    withUserBlock.set(good, 512);
    const f = await readHdf5(withUserBlock, { fileName: 'ub.h5' });
    expect(f.superblockOffset).toBe(512);
    expect(f.dataset('/v').data[499]).toBe(499);
    expect(await scratchFiles()).toEqual([]);
    await expect(
      readHdf5('not bytes' as unknown as Uint8Array, { fileName: 'x.h5' }),
    ).rejects.toThrow(InvalidInputError);
  });
});

describe.skipIf(!haveFixtures)('real files (../shared/fixtures/em)', () => {
  it('LumiSpy SEM-CL spectrum image (.hspy, float16): 15 x 20 x 507, 61.3 nm/pixel, 229-769 nm, emission near 515 nm', async () => {
    const bytes = new Uint8Array(readFileSync(CL));
    const f = await readHdf5(bytes, { fileName: path.basename(CL) });
    expect(f.convention).toBe('hyperspy');
    expect(f.root.attributes).toMatchObject({ file_format: 'HyperSpy' });
    const node = f.get('/Experiments/cathodoluminescence_example/data') as Hdf5DatasetNode;
    expect(node).toMatchObject({ kind: 'dataset', shape: [15, 20, 507], dtype: 'float16' });
    expect(node.filters).toContain('deflate');
    const a = await readCalibratedHdf5(bytes, { fileName: path.basename(CL) });
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(a.axes.map((x) => [x.name, x.unit, x.size])).toEqual([
      ['y', 'nm', 15],
      ['x', 'nm', 20],
      ['Wavelength', 'nm', 507],
    ]);
    expect(a.axes[0].scale).toBeCloseTo(61.3, 1);
    expect(a.axes[1].scale).toBeCloseTo(61.3, 1);
    const w = axisValues(a.axes[2]);
    expect(w[0]).toBeCloseTo(229.4, 1);
    expect(w[506]).toBeCloseTo(769.0, 1);
    expect(a.metadata).toMatchObject({
      calibration: 'hyperspy',
      dtype: 'float16',
      hyperspy: { signalType: 'CL_SEM', navigate: [true, true, false] },
    });
    const sem = (
      a.metadata.hyperspy as { metadata: Record<string, Record<string, Record<string, unknown>>> }
    ).metadata.Acquisition_instrument.SEM;
    expect(sem.beam_acc_voltage_kv).toBeCloseTo(6, 1);
    // every value finite and inside float16's range; the summed spectrum peaks near 515 nm
    expect(a.data.every((v) => Number.isFinite(v) && Math.abs(v) <= 65504)).toBe(true);
    const spectrum = sumAxis(sumAxis(a, 'y'), 'x');
    let k = 0;
    for (let i = 1; i < spectrum.data.length; i++) if (spectrum.data[i] > spectrum.data[k]) k = i;
    expect(Math.abs(w[k] - 515)).toBeLessThan(5);
    // the background stored in the metadata tree as a (2, 1024) float64 dataset
    const bg = f.dataset('/Experiments/cathodoluminescence_example/metadata/Signal/background');
    expect(bg.data).toBeInstanceOf(Float64Array);
    expect(bg.axes.map((x) => x.size)).toEqual([2, 1024]);
  });

  it('atomap ADF image (HyperSpy, float16): 400 x 380, square pixels, unnamed axes', async () => {
    const a = await readCalibratedHdf5(new Uint8Array(readFileSync(ADF)), {
      fileName: path.basename(ADF),
    });
    expect(a.axes.map((x) => [x.name, x.size, x.unit])).toEqual([
      ['dim0', 400, ''],
      ['dim1', 380, ''],
    ]);
    expect(a.axes[0].scale).toBeCloseTo(0.009326, 6);
    expect(a.axes[1].scale).toBe(a.axes[0].scale);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of a.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    // an ADF image: non-negative counts with strong atomic-column contrast
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeGreaterThan(2 * (sum / a.data.length));
    expect(a.metadata).toMatchObject({
      calibration: 'hyperspy',
      dtype: 'float16',
      hyperspy: { navigate: [false, false] },
    });
  });

  it('Berkeley EMD example image (signals/__unnamed__ with dim1/dim2 start-step vectors)', async () => {
    const a = await readCalibratedHdf5(new Uint8Array(readFileSync(EMD)), {
      fileName: path.basename(EMD),
    });
    expect(a.metadata).toMatchObject({
      calibration: 'emd',
      path: '/signals/__unnamed__/data',
      emd: { version: '0.2' },
    });
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(a.axes.map((x) => [x.size, x.scale, x.offset, x.unit])).toEqual([
      [3, 1, 0, ''],
      [3, 1, 0, ''],
    ]);
    expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

const CHROMIUM = process.env.NANOLUM_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`HDF5 browser test skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium || !haveFixtures)('in a browser (headless Chromium)', () => {
  it('the bundled reader (no Node built-ins, h5wasm not inlined) reads the .hspy fixture via an import map', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nanolum-hdf5-browser-'));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(entry, `export * from ${JSON.stringify(path.join(root, 'src/io/hdf5.ts'))};\n`);
      const outfile = path.join(dir, 'hdf5.js');
      const r = spawnSync(
        process.execPath,
        [path.join(root, 'scripts/build-browser.mjs'), '--entry', entry, '--outfile', outfile],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const bundle = readFileSync(outfile, 'utf8');
      expect(bundle.length).toBeLessThan(200_000); // h5wasm (4 MB) is loaded at run time, not bundled
      const h5dir = path.join(root, 'node_modules/h5wasm/dist/esm');
      const files: Record<string, Buffer | string> = {
        '/hdf5.js': bundle,
        '/h5wasm/hdf5_hl.js': readFileSync(path.join(h5dir, 'hdf5_hl.js')),
        '/h5wasm/hdf5_util.js': readFileSync(path.join(h5dir, 'hdf5_util.js')),
        '/cl.hspy': readFileSync(CL),
      };
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.host !== 'nanolum.test') return route.abort();
        const body = files[url.pathname];
        if (body !== undefined)
          return route.fulfill({
            contentType: url.pathname.endsWith('.js')
              ? 'text/javascript'
              : 'application/octet-stream',
            body,
          });
        return route.fulfill({
          contentType: 'text/html',
          body:
            '<!DOCTYPE html><html><head><script type="importmap">{"imports":{"h5wasm":"/h5wasm/hdf5_hl.js"}}</script></head>' +
            '<body><script type="module">import * as h from "/hdf5.js"; window.hdf5 = h;</script></body></html>',
        });
      });
      await page.goto('http://nanolum.test/index.html');
      await page.waitForFunction(() => 'hdf5' in window, undefined, { timeout: 30_000 });
      const got = await page.evaluate(async () => {
        const h = (window as unknown as { hdf5: typeof import('../../src/io/hdf5.js') }).hdf5;
        const bytes = new Uint8Array(await (await fetch('/cl.hspy')).arrayBuffer());
        const a = await h.readCalibratedHdf5(bytes, { fileName: 'cl.hspy' });
        const notHdf5 = await h
          .readHdf5(new TextEncoder().encode('a,b\n'), { fileName: 'x.csv' })
          .catch((e: Error & { code?: string }) => `${e.code}: ${e.message}`);
        return {
          axes: a.axes.map((x) => [x.name, x.unit, x.size, x.scale, x.offset]),
          sum: Array.from(a.data).reduce((s, v) => s + v, 0),
          notHdf5,
        };
      });
      const node = await readCalibratedHdf5(new Uint8Array(readFileSync(CL)), {
        fileName: 'cl.hspy',
      });
      expect(got.axes).toEqual(node.axes.map((x) => [x.name, x.unit, x.size, x.scale, x.offset]));
      expect(got.sum).toBe(Array.from(node.data).reduce((s, v) => s + v, 0));
      expect(got.notHdf5).toMatch(/^DATA_FORMAT: x\.csv: not an HDF5 file/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
