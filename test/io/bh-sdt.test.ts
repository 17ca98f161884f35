/**
 * No real Becker & Hickl .sdt file is available to the project (the fixtures hold .spc/.set TTTR
 * files only), so these tests build .sdt files byte by byte from the published structure
 * (`SPC_data_file_structure.h`) with the small writer below, including a zipped data block.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { DataFormatError, InvalidInputError } from '../../src/core/errors.js';
import {
  readBeckerHicklSdt,
  readBeckerHicklSdtAsync,
  readBeckerHicklSdtBlocks,
  readBeckerHicklSdtHeader,
} from '../../src/io/bh-sdt.js';

interface BlockSpec {
  values: number[];
  dataType?: 'uint16' | 'uint32' | 'float64';
  contents?: number;
  zip?: boolean;
  zipDescriptor?: boolean;
}
interface MeasSpec {
  tacRangeS: number;
  tacGain: number;
  adcRe: number;
  scanX?: number;
  scanY?: number;
  imageX?: number;
  imageY?: number;
}

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A one-entry ZIP archive (entry "data_block"), as SPCM writes compressed blocks. */
function zipEntry(data: Uint8Array, descriptor: boolean): Uint8Array {
  const comp = new Uint8Array(deflateRawSync(data));
  const name = new TextEncoder().encode('data_block');
  const crc = crc32(data);
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(6, descriptor ? 0x8 : 0, true);
  lv.setUint16(8, 8, true);
  if (!descriptor) {
    lv.setUint32(14, crc, true);
    lv.setUint32(18, comp.length, true);
    lv.setUint32(22, data.length, true);
  }
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  const central = new Uint8Array(46 + name.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(10, 8, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, comp.length, true);
  cv.setUint32(24, data.length, true);
  cv.setUint16(28, name.length, true);
  central.set(name, 46);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, local.length + comp.length, true);
  return concat([local, comp, central, eocd]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const MEAS_LEN = 512;

/** Minimal .sdt writer: header, info, setup, measurement description blocks, data blocks. */
function writeSdt(
  meas: MeasSpec[],
  blocks: BlockSpec[],
  opts: { revision?: number; id?: string; valid?: boolean } = {},
): Uint8Array {
  const enc = new TextEncoder();
  const info = enc.encode(
    `*IDENTIFICATION\r\n  ID        : ${opts.id ?? 'SPC Setup & Data File'}\r\n  Title     : test\r\n  Version   : 1 940 M\r\n  Revision  : 15\r\n  Date      : 03-05-2024\r\n  Time      : 10:20:30\r\n  Author    : nanolum\r\n*END\r\n\r\n`,
  );
  const setup = enc.encode('*SETUP\r\n SP_TAC_R [F,5e-08]\r\n*END\r\n\r\n');
  const revision = opts.revision ?? (0x28 << 4) | 15; // SPC-150, software revision 15
  const infoOff = 42;
  const setupOff = infoOff + info.length;
  const measOff = setupOff + setup.length;
  const measBytes = new Uint8Array(MEAS_LEN * meas.length);
  meas.forEach((m, i) => {
    const v = new DataView(measBytes.buffer, i * MEAS_LEN, MEAS_LEN);
    measBytes.set(enc.encode('10:20:30'), i * MEAS_LEN);
    measBytes.set(enc.encode('03-05-2024'), i * MEAS_LEN + 9);
    measBytes.set(enc.encode('SN1234'), i * MEAS_LEN + 20);
    v.setFloat32(64, m.tacRangeS, true);
    v.setInt16(68, m.tacGain, true);
    v.setFloat32(70, 5, true);
    v.setInt16(82, m.adcRe === 65536 ? 0 : m.adcRe, true);
    v.setFloat32(92, 10, true);
    measBytes.set(enc.encode('SPC-150'), i * MEAS_LEN + 117);
    v.setInt32(173, m.scanX ?? 1, true);
    v.setInt32(177, m.scanY ?? 1, true);
    v.setInt32(309, m.imageX ?? 0, true);
    v.setInt32(313, m.imageY ?? 0, true);
  });
  let offset = measOff + measBytes.length;
  const blockParts: Uint8Array[] = [];
  const sizes = { uint16: 2, uint32: 4, float64: 8 } as const;
  const codes = { uint16: 0x000, uint32: 0x100, float64: 0x200 } as const;
  const firstBlock = offset;
  blocks.forEach((bl, i) => {
    const dt = bl.dataType ?? 'uint16';
    const raw = new Uint8Array(sizes[dt] * bl.values.length);
    const rv = new DataView(raw.buffer);
    bl.values.forEach((x, k) => {
      if (dt === 'uint16') rv.setUint16(2 * k, x, true);
      else if (dt === 'uint32') rv.setUint32(4 * k, x, true);
      else rv.setFloat64(8 * k, x, true);
    });
    const payload = bl.zip ? zipEntry(raw, !!bl.zipDescriptor) : raw;
    const head = new Uint8Array(22);
    const hv = new DataView(head.buffer);
    const dataOffs = offset + 22;
    const next = dataOffs + payload.length;
    hv.setUint32(2, dataOffs, true);
    hv.setUint32(6, next, true);
    hv.setUint16(10, 1 | (bl.contents ?? 0) | codes[dt] | (bl.zip ? 0x1000 : 0), true);
    hv.setInt16(12, Math.min(i, meas.length - 1), true);
    hv.setUint32(14, i + 1, true);
    hv.setUint32(18, raw.length, true);
    blockParts.push(head, payload);
    offset = next;
  });
  const header = new Uint8Array(42);
  const h = new DataView(header.buffer);
  h.setInt16(0, revision, true);
  h.setInt32(2, infoOff, true);
  h.setInt16(6, info.length, true);
  h.setInt32(8, setupOff, true);
  h.setInt16(12, setup.length, true);
  h.setInt32(14, firstBlock, true);
  h.setInt16(18, blocks.length, true);
  h.setUint32(20, Math.max(0, ...blocks.map((b) => b.values.length * 2)), true);
  h.setInt32(24, measOff, true);
  h.setInt16(28, meas.length, true);
  h.setInt16(30, MEAS_LEN, true);
  h.setUint16(32, opts.valid === false ? 0x1111 : 0x5555, true);
  let sum = 0;
  for (let k = 0; k < 40; k += 2) sum = (sum + h.getUint16(k, true)) & 0xffff;
  h.setUint16(40, (0x55aa - sum) & 0xffff, true);
  return concat([header, info, setup, measBytes, ...blockParts]);
}

const nt = 256;
const decay = Array.from({ length: nt }, (_, i) =>
  i < 20 ? 2 : Math.round(3000 * Math.exp(-(i - 20) / 40)) + 2,
);
const meas: MeasSpec = { tacRangeS: 50e-9, tacGain: 4, adcRe: nt };
const binNs = 50 / (4 * nt);

describe('Becker & Hickl .sdt reader', () => {
  it('reads a single decay with its time axis tac_r / (tac_g adc_re)', () => {
    const f = writeSdt([meas], [{ values: decay }]);
    const a = readBeckerHicklSdt(f, { fileName: 'decay.sdt' });
    expect(a.axes).toHaveLength(1);
    expect(a.axes[0].name).toBe('time');
    expect(a.axes[0].unit).toBe('ns');
    expect(a.axes[0].scale).toBeCloseTo(binNs, 12);
    expect(Array.from(a.data)).toEqual(decay);
    expect(a.data).toBeInstanceOf(Uint16Array);
    const md = a.metadata as {
      info: Record<string, string>;
      fileHeader: { moduleType: string; checksumOk: boolean; softwareRevision: number };
    };
    expect(md.info.ID).toBe('SPC Setup & Data File');
    expect(md.fileHeader.moduleType).toBe('SPC-150');
    expect(md.fileHeader.softwareRevision).toBe(15);
    expect(md.fileHeader.checksumOk).toBe(true);
  });

  it('reads header fields and setup text', () => {
    const h = readBeckerHicklSdtHeader(writeSdt([meas], [{ values: decay }]));
    expect(h.measureInfo[0].adcResolution).toBe(nt);
    expect(h.measureInfo[0].tacGain).toBe(4);
    expect(h.measureInfo[0].moduleSerialNumber).toBe('SN1234');
    expect(h.measureInfo[0].date).toBe('03-05-2024');
    expect(h.setupText).toMatch(/SP_TAC_R/);
    expect(h.blocks[0].contents).toBe('DECAY_BLOCK');
    expect(h.blocks[0].creationMode).toBe('MEAS_DATA');
  });

  it('shapes a page of curves, a FLIM image and 32-bit FIFO decays; old revision headers', () => {
    const page = writeSdt(
      [meas],
      [{ values: [...decay, ...decay.map((x) => x + 1)], contents: 0x10 }],
    );
    const p = readBeckerHicklSdt(page);
    expect(p.axes.map((x) => `${x.name}[${x.size}]`)).toEqual(['curve[2]', `time[${nt}]`]);
    expect(p.data[nt]).toBe(decay[0] + 1);
    const img = writeSdt(
      [{ tacRangeS: 25e-9, tacGain: 1, adcRe: 8, imageX: 3, imageY: 2 }],
      [{ values: Array.from({ length: 48 }, (_, i) => i), dataType: 'uint32', contents: 0x60 }],
    );
    const im = readBeckerHicklSdt(img);
    expect(im.axes.map((x) => `${x.name}[${x.size}]`)).toEqual(['y[2]', 'x[3]', 'time[8]']);
    expect(im.data).toBeInstanceOf(Uint32Array);
    expect(im.data[1 * 3 * 8 + 2 * 8 + 5]).toBe(1 * 24 + 16 + 5);
    expect(im.axes[2].scale).toBeCloseTo(25 / 8, 12);
    const old = writeSdt([meas], [{ values: decay }], { revision: (0x25 << 4) | 12 });
    const o = readBeckerHicklSdt(old);
    expect((o.metadata.fileHeader as { moduleType: string }).moduleType).toBe('SPC-830');
    expect(Array.from(o.data)).toEqual(decay);
  });

  it('decompresses zipped blocks asynchronously (with and without a ZIP data descriptor)', async () => {
    const f = writeSdt(
      [meas],
      [
        { values: decay, zip: true },
        { values: decay.map((x) => 2 * x), zip: true, zipDescriptor: true },
      ],
    );
    expect(() => readBeckerHicklSdt(f, { fileName: 'z.sdt' })).toThrow(
      /compressed; read this file with readBeckerHicklSdtAsync/,
    );
    const a = await readBeckerHicklSdtAsync(f, { fileName: 'z.sdt' });
    expect(Array.from(a.data)).toEqual(decay);
    const all = await readBeckerHicklSdtBlocks(f);
    expect(all).toHaveLength(2);
    expect(Array.from(all[1].data)).toEqual(decay.map((x) => 2 * x));
    expect((await readBeckerHicklSdtAsync(f, { block: 1 })).data[30]).toBe(2 * decay[30]);
  });

  it('rejects files that are not .sdt, naming the file and byte offset', () => {
    const png = new Uint8Array(200);
    png.set([0x89, 0x50, 0x4e, 0x47]);
    expect(() => readBeckerHicklSdt(png, { fileName: 'image.png' })).toThrow(DataFormatError);
    expect(() => readBeckerHicklSdt(png, { fileName: 'image.png' })).toThrow(
      /^image\.png, byte 2: not a Becker & Hickl/,
    );
    const f = writeSdt([meas], [{ values: decay }]);
    const noId = f.slice();
    noId.set(new TextEncoder().encode('*SOMETHING_ELSE'), 42);
    expect(() => readBeckerHicklSdt(noId)).toThrow(/\*IDENTIFICATION/);
    expect(() =>
      readBeckerHicklSdt(writeSdt([meas], [{ values: decay }], { id: 'My Own Format' })),
    ).toThrow(/unsupported \.sdt file type/);
    expect(() =>
      readBeckerHicklSdt(writeSdt([meas], [{ values: decay }], { valid: false })),
    ).toThrow(/not valid/);
    expect(() => readBeckerHicklSdt(new Uint8Array(10), { fileName: 'tiny.sdt' })).toThrow(
      /tiny\.sdt, byte 0: the 42-byte file header/,
    );
  });

  it('reports truncated data blocks and bad block references', () => {
    const f = writeSdt([meas], [{ values: decay }]);
    const cut = f.subarray(0, f.length - 100);
    let err: DataFormatError | undefined;
    try {
      readBeckerHicklSdt(cut, { fileName: 'cut.sdt' });
    } catch (e) {
      err = e as DataFormatError;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect(err!.message).toMatch(/data block 0 \(512 bytes\).*truncated/);
    expect(err!.location.byteOffset).toBe(f.length - 2 * nt);
    const badRef = f.slice();
    const blockHeaderAt = new DataView(badRef.buffer).getInt32(14, true);
    new DataView(badRef.buffer).setInt16(blockHeaderAt + 12, 3, true);
    expect(() => readBeckerHicklSdt(badRef)).toThrow(/refers to measurement description block 3/);
    expect(() => readBeckerHicklSdt(f, { block: 4 })).toThrow(InvalidInputError);
    const wrongBins = writeSdt([{ ...meas, adcRe: 100 }], [{ values: decay }]);
    expect(() => readBeckerHicklSdt(wrongBins)).toThrow(/not a multiple of the 100 time bins/);
  });

  it('falls back to a gzip wrapper where deflate-raw streams are unavailable', async () => {
    const Native = globalThis.DecompressionStream;
    class GzipOnly extends Native {
      constructor(format: CompressionFormat) {
        if (format === ('deflate-raw' as CompressionFormat))
          throw new TypeError('unsupported format');
        super(format);
      }
    }
    vi.stubGlobal('DecompressionStream', GzipOnly);
    try {
      const f = writeSdt([meas], [{ values: decay, zip: true }]);
      expect(Array.from((await readBeckerHicklSdtAsync(f)).data)).toEqual(decay);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reports a corrupt compressed block', async () => {
    const f = writeSdt([meas], [{ values: decay, zip: true }]);
    const bad = f.slice();
    const blockHeaderAt = new DataView(bad.buffer).getInt32(14, true);
    const dataAt = new DataView(bad.buffer).getUint32(blockHeaderAt + 2, true);
    bad.fill(0xff, dataAt + 40, dataAt + 60);
    await expect(readBeckerHicklSdtAsync(bad, { fileName: 'bad.sdt' })).rejects.toThrow(
      /bad\.sdt, byte \d+: compressed data block 0/,
    );
  });
});
