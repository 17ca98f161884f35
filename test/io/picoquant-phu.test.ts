/**
 * No real .phu file is available to the project, so these tests build files byte by byte from
 * PicoQuant's published layout (unified tag header + histogram blocks) with the small writer below.
 */
import { describe, expect, it } from 'vitest';
import { DataFormatError, InvalidInputError } from '../../src/core/errors.js';
import {
  PQ_TAG_TYPES,
  readPicoQuantPhu,
  readPicoQuantPhuCurves,
  readPicoQuantPhuHeader,
} from '../../src/io/picoquant-phu.js';

type TagSpec =
  | { ident: string; index?: number; type: 'int'; value: number }
  | { ident: string; index?: number; type: 'float'; value: number }
  | { ident: string; index?: number; type: 'bool'; value: boolean }
  | { ident: string; index?: number; type: 'empty' }
  | { ident: string; index?: number; type: 'ascii'; value: string }
  | { ident: string; index?: number; type: 'wide'; value: string }
  | { ident: string; index?: number; type: 'date'; value: Date }
  | { ident: string; index?: number; type: 'floats'; value: number[] }
  | { ident: string; index?: number; type: 'blob'; value: Uint8Array };

/** Minimal PHU writer following PicoQuant's unified tag layout. */
function writePhu(
  curves: { counts: number[]; resolutionS: number }[],
  extra: TagSpec[] = [],
  magic = 'PQHISTO',
): Uint8Array {
  const parts: Uint8Array[] = [];
  const pre = new Uint8Array(16);
  pre.set(new TextEncoder().encode(magic), 0);
  pre.set(new TextEncoder().encode('1.0.00'), 8);
  parts.push(pre);
  const tag = (
    ident: string,
    index: number,
    type: number,
    fill: (v: DataView) => void,
    payload?: Uint8Array,
  ): void => {
    const t = new Uint8Array(48);
    t.set(new TextEncoder().encode(ident).subarray(0, 32), 0);
    const v = new DataView(t.buffer);
    v.setInt32(32, index, true);
    v.setUint32(36, type, true);
    fill(v);
    parts.push(t);
    if (payload) parts.push(payload);
  };
  const emit = (s: TagSpec): void => {
    const idx = s.index ?? -1;
    switch (s.type) {
      case 'int':
        return tag(s.ident, idx, PQ_TAG_TYPES.int8, (v) =>
          v.setBigInt64(40, BigInt(s.value), true),
        );
      case 'float':
        return tag(s.ident, idx, PQ_TAG_TYPES.float8, (v) => v.setFloat64(40, s.value, true));
      case 'bool':
        return tag(s.ident, idx, PQ_TAG_TYPES.bool8, (v) =>
          v.setBigInt64(40, s.value ? 1n : 0n, true),
        );
      case 'empty':
        return tag(s.ident, idx, PQ_TAG_TYPES.empty8, () => undefined);
      case 'date':
        return tag(s.ident, idx, PQ_TAG_TYPES.dateTime, (v) =>
          v.setFloat64(40, s.value.getTime() / 86400000 + 25569, true),
        );
      case 'ascii': {
        const len = Math.ceil((s.value.length + 1) / 8) * 8;
        const p = new Uint8Array(len);
        p.set(new TextEncoder().encode(s.value));
        return tag(
          s.ident,
          idx,
          PQ_TAG_TYPES.ansiString,
          (v) => v.setBigInt64(40, BigInt(len), true),
          p,
        );
      }
      case 'wide': {
        const len = Math.ceil(((s.value.length + 1) * 2) / 8) * 8;
        const p = new Uint8Array(len);
        for (let i = 0; i < s.value.length; i++)
          new DataView(p.buffer).setUint16(2 * i, s.value.charCodeAt(i), true);
        return tag(
          s.ident,
          idx,
          PQ_TAG_TYPES.wideString,
          (v) => v.setBigInt64(40, BigInt(len), true),
          p,
        );
      }
      case 'floats': {
        const p = new Uint8Array(8 * s.value.length);
        s.value.forEach((x, i) => new DataView(p.buffer).setFloat64(8 * i, x, true));
        return tag(
          s.ident,
          idx,
          PQ_TAG_TYPES.float8Array,
          (v) => v.setBigInt64(40, BigInt(p.length), true),
          p,
        );
      }
      case 'blob':
        return tag(
          s.ident,
          idx,
          PQ_TAG_TYPES.binaryBlob,
          (v) => v.setBigInt64(40, BigInt(s.value.length), true),
          s.value,
        );
    }
  };
  for (const s of extra) emit(s);
  emit({ ident: 'HistoResult_NumberOfCurves', type: 'int', value: curves.length });
  // data offsets depend on the header size: header = written so far + 4 tags per curve + Header_End
  const headerBytes = (): number =>
    parts.reduce((n, p) => n + p.length, 0) + (curves.length * 4 + 1) * 48;
  let offset = headerBytes();
  curves.forEach((c, i) => {
    emit({ ident: 'HistResDscr_CurveIndex', index: i, type: 'int', value: i });
    emit({ ident: 'HistResDscr_DataOffset', index: i, type: 'int', value: offset });
    emit({ ident: 'HistResDscr_HistogramBins', index: i, type: 'int', value: c.counts.length });
    emit({ ident: 'HistResDscr_MDescResolution', index: i, type: 'float', value: c.resolutionS });
    offset += 4 * c.counts.length;
  });
  emit({ ident: 'Header_End', type: 'empty' });
  for (const c of curves) {
    const d = new Uint8Array(4 * c.counts.length);
    c.counts.forEach((x, i) => new DataView(d.buffer).setUint32(4 * i, x, true));
    parts.push(d);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const decayA = Array.from({ length: 64 }, (_, i) => Math.round(1000 * Math.exp(-i / 10)) + 3);
const decayB = Array.from({ length: 64 }, (_, i) => Math.round(400 * Math.exp(-i / 20)) + (i % 3));
const extraTags: TagSpec[] = [
  { ident: 'File_GUID', type: 'ascii', value: '{01234567-89AB-CDEF-0123-456789ABCDEF}' },
  { ident: 'File_Comment', type: 'wide', value: 'CsPbBr3 film, 405 nm' },
  { ident: 'File_CreatingTime', type: 'date', value: new Date('2024-03-05T10:20:30Z') },
  { ident: 'Measurement_Mode', type: 'int', value: 0 },
  { ident: 'Measurement_SubMode', type: 'int', value: 1 },
  { ident: 'HW_Type', type: 'ascii', value: 'PicoHarp 300' },
  { ident: 'UsrHeadName', type: 'bool', value: true },
  { ident: 'ParValues', type: 'floats', value: [1.5, 2.5] },
  { ident: 'ChkHistogram', type: 'blob', value: new Uint8Array(16) },
  { ident: 'HistResDscr_IntegralCount', index: 0, type: 'int', value: 12345 },
  { ident: 'HistResDscr_IntegralCount', index: 1, type: 'int', value: 6789 },
];

describe('PicoQuant .phu reader', () => {
  const twoCurves = writePhu(
    [
      { counts: decayA, resolutionS: 16e-12 },
      { counts: decayB, resolutionS: 16e-12 },
    ],
    extraTags,
  );

  it('reads counts and the calibrated time axis of two curves', () => {
    const a = readPicoQuantPhu(twoCurves, { fileName: 'film.phu' });
    expect(a.axes.map((x) => x.name)).toEqual(['curve', 'time']);
    expect(a.axes[1].unit).toBe('ns');
    expect(a.axes[1].scale).toBeCloseTo(0.016, 15);
    expect(a.axes[1].size).toBe(64);
    expect(Array.from(a.data.subarray(0, 64))).toEqual(decayA);
    expect(Array.from(a.data.subarray(64))).toEqual(decayB);
    expect(a.unit).toBe('counts');
  });

  it('decodes every tag type into metadata', () => {
    const a = readPicoQuantPhu(twoCurves, { fileName: 'film.phu' });
    const tags = a.metadata.tags as Record<string, unknown>;
    expect(tags.File_Comment).toBe('CsPbBr3 film, 405 nm');
    expect(tags.File_GUID).toBe('{01234567-89AB-CDEF-0123-456789ABCDEF}');
    expect(tags.File_CreatingTime).toBe('2024-03-05T10:20:30.000Z');
    expect(tags.HW_Type).toBe('PicoHarp 300');
    expect(tags.UsrHeadName).toBe(true);
    expect(tags.ParValues).toEqual([1.5, 2.5]);
    expect(tags.ChkHistogram).toEqual({ blobBytes: 16 });
    expect(tags.HistResDscr_IntegralCount).toEqual([12345, 6789]);
    expect(a.metadata.format).toBe('PicoQuant PHU');
    expect(a.metadata.formatVersion).toBe('1.0.00');
  });

  it('returns single curves and per-curve descriptions', () => {
    const curves = readPicoQuantPhuCurves(twoCurves);
    expect(curves).toHaveLength(2);
    expect(Array.from(curves[1].data)).toEqual(decayB);
    expect(
      (curves[1].metadata.curve as { description: Record<string, unknown> }).description
        .HistResDscr_IntegralCount,
    ).toBe(6789);
    const one = readPicoQuantPhu(twoCurves, { curve: 1 });
    expect(one.axes).toHaveLength(1);
    expect(Array.from(one.data)).toEqual(decayB);
    expect(() => readPicoQuantPhu(twoCurves, { curve: 2 })).toThrow(InvalidInputError);
  });

  it('reads a one-curve file as 1-D and handles different curve lengths', () => {
    const single = readPicoQuantPhu(writePhu([{ counts: decayA, resolutionS: 4e-12 }]));
    expect(single.axes).toHaveLength(1);
    expect(single.axes[0].scale).toBeCloseTo(0.004, 15);
    const mixed = writePhu([
      { counts: decayA, resolutionS: 4e-12 },
      { counts: decayB.slice(0, 32), resolutionS: 8e-12 },
    ]);
    expect(() => readPicoQuantPhu(mixed, { fileName: 'mixed.phu' })).toThrow(
      /differ in length or bin width.*curve: i/,
    );
    expect(readPicoQuantPhuCurves(mixed)[1].axes[0].scale).toBeCloseTo(0.008, 15);
    expect(readPicoQuantPhuHeader(mixed).curves.map((c) => c.bins)).toEqual([64, 32]);
  });

  it('rejects a wrong magic, naming the file and byte 0', () => {
    const bad = writePhu([{ counts: decayA, resolutionS: 4e-12 }], [], 'PQTTTR');
    let err: unknown;
    try {
      readPicoQuantPhu(bad, { fileName: 'run.ptu' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as DataFormatError).message).toMatch(
      /^run\.ptu, byte 0: not a PicoQuant histogram.*\.ptu file/,
    );
    expect(() => readPicoQuantPhu(new TextEncoder().encode('time,counts\n0,1\n1,2\n'))).toThrow(
      /magic is "time,cou"/,
    );
    expect(() => readPicoQuantPhu(new Uint8Array(5), { fileName: 'x.phu' })).toThrow(
      /only 5 bytes/,
    );
  });

  it('reports truncation inside the header and inside the histogram with byte offsets', () => {
    const full = writePhu([{ counts: decayA, resolutionS: 4e-12 }], extraTags);
    const cutHeader = full.subarray(0, 16 + 48 * 2 + 10);
    expect(() => readPicoQuantPhu(cutHeader, { fileName: 'cut.phu' })).toThrow(
      /cut\.phu, byte \d+: file ends inside/,
    );
    const cutData = full.subarray(0, full.length - 10);
    let err: DataFormatError | undefined;
    try {
      readPicoQuantPhu(cutData, { fileName: 'cut.phu' });
    } catch (e) {
      err = e as DataFormatError;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect(err!.message).toMatch(/truncated/);
    expect(err!.location.byteOffset).toBe(full.length - 4 * decayA.length);
  });

  it('rejects an unknown tag type and a missing curve count', () => {
    const f = writePhu([{ counts: decayA, resolutionS: 4e-12 }]);
    const broken = f.slice();
    new DataView(broken.buffer).setUint32(16 + 36, 0x12345678, true);
    expect(() => readPicoQuantPhu(broken)).toThrow(/unknown type code 0x12345678/);
    const noCount = writePhu([], []);
    // rename the curve-count tag so that it is missing
    const renamed = noCount.slice();
    renamed.set(new TextEncoder().encode('HistoResult_NumberOfCurveX'), 16);
    expect(() => readPicoQuantPhu(renamed)).toThrow(/HistoResult_NumberOfCurves" is missing/);
    expect(() => readPicoQuantPhu(noCount)).toThrow(/no histogram curves/);
  });
});
