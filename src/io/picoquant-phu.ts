/**
 * PicoQuant unified histogram files (`.phu`), as written by PicoHarp / HydraHarp / MultiHarp
 * software in histogramming mode.
 *
 * Layout (PicoQuant "unified tag" format, file-format demos and tag dictionary published by
 * PicoQuant in `PicoQuant-Time-Tagged-File-Format-Demos`, `PHU/` and `doc/`):
 * - 8 bytes magic `PQHISTO` (NUL-padded), 8 bytes format version (NUL-padded ASCII);
 * - a list of tags, each 48 bytes: identifier (32 bytes ASCII, NUL-padded), index (int32, -1 when
 *   not indexed), type code (uint32), value (8 bytes). For strings, float arrays and binary blobs
 *   the value is the byte length of a payload that follows the tag. The list ends with the tag
 *   `Header_End`;
 * - the histograms, one per curve: `HistResDscr_HistogramBins(i)` little-endian uint32 counts at
 *   file offset `HistResDscr_DataOffset(i)`, bin width `HistResDscr_MDescResolution(i)` in seconds.
 * All numbers are little-endian.
 */
import { DataFormatError, InvalidInputError } from '../core/errors.js';
import { uniformAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';

/** Tag type codes of the PicoQuant unified tag format. */
export const PQ_TAG_TYPES = {
  empty8: 0xffff0008,
  bool8: 0x00000008,
  int8: 0x10000008,
  bitSet64: 0x11000008,
  color8: 0x12000008,
  float8: 0x20000008,
  dateTime: 0x21000008,
  float8Array: 0x2001ffff,
  ansiString: 0x4001ffff,
  wideString: 0x4002ffff,
  binaryBlob: 0xffffffff,
} as const;

/** A tag value as read: numbers, booleans, strings, ISO dates, float arrays, or a blob's size. */
export type PqTagValue = number | boolean | string | number[] | null | { blobBytes: number };

/** One tag of a PicoQuant unified-tag header. */
export interface PqTag {
  ident: string;
  /** Index for indexed tags (per curve, per channel), -1 otherwise. */
  index: number;
  type: number;
  value: PqTagValue;
  /** Byte offset of the tag in the file. */
  byteOffset: number;
}

/** Options shared by the byte-level readers. */
export interface ReaderOptions {
  /** Name of the file, used in error messages and metadata. */
  fileName?: string;
}

const TAG_BYTES = 48;
const DAYS_1899_TO_1970 = 25569;

function asciiZ(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length; i++) {
    const c = bytes[i];
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function int64ToNumber(v: bigint): number | string {
  if (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER))
    return Number(v);
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/**
 * Parse the PicoQuant unified tag header that starts at byte 16 (after magic and version).
 * Returns the tags and the offset just after `Header_End`.
 *
 * @example
 * const { tags } = readPqTags(bytes, 'decay.phu');
 */
export function readPqTags(bytes: Uint8Array, fileName?: string): { tags: PqTag[]; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags: PqTag[] = [];
  let pos = 16;
  const utf16 = new TextDecoder('utf-16le');
  const latin1 = new TextDecoder('windows-1252');
  for (;;) {
    if (pos + TAG_BYTES > bytes.length) {
      throw new DataFormatError(
        `file ends inside the tag header (tag ${tags.length + 1} needs bytes ${pos}-${pos + TAG_BYTES - 1}, file has ${bytes.length}); the file is truncated or "Header_End" is missing`,
        { file: fileName, byteOffset: pos },
      );
    }
    const ident = asciiZ(bytes, pos, 32);
    const index = view.getInt32(pos + 32, true);
    const type = view.getUint32(pos + 36, true);
    const valuePos = pos + 40;
    let value: PqTagValue;
    let next = pos + TAG_BYTES;
    const payload = (): number => {
      const n = view.getBigInt64(valuePos, true);
      if (n < 0n || n > BigInt(bytes.length)) {
        throw new DataFormatError(
          `tag "${ident}" declares a payload of ${n} bytes, which cannot fit in the file`,
          {
            file: fileName,
            byteOffset: pos,
          },
        );
      }
      const len = Number(n);
      if (next + len > bytes.length) {
        throw new DataFormatError(
          `file ends inside the ${len}-byte payload of tag "${ident}" (needs up to byte ${next + len - 1}, file has ${bytes.length})`,
          { file: fileName, byteOffset: next },
        );
      }
      return len;
    };
    switch (type) {
      case PQ_TAG_TYPES.empty8:
        value = null;
        break;
      case PQ_TAG_TYPES.bool8:
        value = view.getBigInt64(valuePos, true) !== 0n;
        break;
      case PQ_TAG_TYPES.int8:
      case PQ_TAG_TYPES.bitSet64:
      case PQ_TAG_TYPES.color8:
        value = int64ToNumber(view.getBigInt64(valuePos, true));
        break;
      case PQ_TAG_TYPES.float8:
        value = view.getFloat64(valuePos, true);
        break;
      case PQ_TAG_TYPES.dateTime: {
        const days = view.getFloat64(valuePos, true);
        const ms = (days - DAYS_1899_TO_1970) * 86400000;
        value = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : days;
        break;
      }
      case PQ_TAG_TYPES.float8Array: {
        const len = payload();
        const arr: number[] = [];
        for (let k = 0; k + 8 <= len; k += 8) arr.push(view.getFloat64(next + k, true));
        value = arr;
        next += len;
        break;
      }
      case PQ_TAG_TYPES.ansiString: {
        const len = payload();
        value = latin1.decode(bytes.subarray(next, next + len)).replace(/\0[\s\S]*$/, '');
        next += len;
        break;
      }
      case PQ_TAG_TYPES.wideString: {
        const len = payload();
        value = utf16.decode(bytes.subarray(next, next + (len & ~1))).replace(/\0[\s\S]*$/, '');
        next += len;
        break;
      }
      case PQ_TAG_TYPES.binaryBlob: {
        const len = payload();
        value = { blobBytes: len };
        next += len;
        break;
      }
      default:
        throw new DataFormatError(
          `tag "${ident}" has unknown type code 0x${type.toString(16).padStart(8, '0')}; the header is corrupt or not a PicoQuant tag header`,
          { file: fileName, byteOffset: pos + 36 },
        );
    }
    if (index > 1_000_000) {
      throw new DataFormatError(
        `tag "${ident}" has index ${index}, which is implausibly large (corrupt header)`,
        {
          file: fileName,
          byteOffset: pos + 32,
        },
      );
    }
    tags.push({ ident, index, type, value, byteOffset: pos });
    pos = next;
    if (ident === 'Header_End') return { tags, end: pos };
  }
}

/**
 * Tags as a plain record: indexed tags become arrays (by index), others plain values.
 *
 * @example
 * pqTagRecord(readPqTags(bytes).tags).HistResDscr_HistogramBins; // [65536, 65536]
 */
export function pqTagRecord(tags: PqTag[]): Record<string, PqTagValue | PqTagValue[]> {
  const out: Record<string, PqTagValue | PqTagValue[]> = {};
  const indexed = new Map<string, PqTagValue[]>();
  for (const t of tags) {
    if (t.ident === 'Header_End') continue;
    if (t.index >= 0) {
      let arr = indexed.get(t.ident);
      if (!arr) {
        arr = [];
        indexed.set(t.ident, arr);
        out[t.ident] = arr;
      }
      while (arr.length < t.index) arr.push(null);
      arr[t.index] = t.value;
    } else {
      out[t.ident] = t.value;
    }
  }
  return out;
}

/** One histogram curve of a `.phu` file with its description tags. */
export interface PhuCurve {
  index: number;
  bins: number;
  /** Bin width in ns. */
  resolutionNs: number;
  dataOffset: number;
  /** All `HistResDscr_*` tags of this curve, by tag name. */
  description: Record<string, PqTagValue>;
}

function checkMagic(bytes: Uint8Array, fileName?: string): string {
  if (bytes.length < 16) {
    throw new DataFormatError(
      `file has only ${bytes.length} bytes; a PicoQuant .phu file starts with a 16-byte preamble`,
      {
        file: fileName,
        byteOffset: 0,
      },
    );
  }
  const magic = asciiZ(bytes, 0, 8);
  if (magic !== 'PQHISTO') {
    const hint =
      magic === 'PQTTTR'
        ? ' (this is a PicoQuant time-tagged .ptu file, not a histogram file)'
        : magic.startsWith('PicoHarp') || magic.startsWith('HydraHarp')
          ? ' (this looks like a legacy .phd/.hhd file, which this reader does not support)'
          : '';
    throw new DataFormatError(
      `not a PicoQuant histogram (.phu) file: magic is "${printable(magic)}", expected "PQHISTO"${hint}`,
      { file: fileName, byteOffset: 0 },
    );
  }
  return asciiZ(bytes, 8, 8);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

function numberTag(
  rec: Record<string, PqTagValue | PqTagValue[]>,
  name: string,
  index?: number,
): number | undefined {
  const v = index === undefined ? rec[name] : (rec[name] as PqTagValue[] | undefined)?.[index];
  return typeof v === 'number' ? v : undefined;
}

/** Parsed `.phu` file: preamble, tags and curve descriptions, before reading counts. */
export interface PhuHeader {
  version: string;
  tags: PqTag[];
  record: Record<string, PqTagValue | PqTagValue[]>;
  curves: PhuCurve[];
}

/**
 * Read the preamble, tag header and curve descriptions of a PicoQuant `.phu` file.
 *
 * @example
 * const header = readPicoQuantPhuHeader(bytes, { fileName: 'irf.phu' });
 * header.curves[0].resolutionNs; // 0.004
 */
export function readPicoQuantPhuHeader(bytes: Uint8Array, options: ReaderOptions = {}): PhuHeader {
  const file = options.fileName;
  const version = checkMagic(bytes, file);
  const { tags } = readPqTags(bytes, file);
  const record = pqTagRecord(tags);
  const nCurves = numberTag(record, 'HistoResult_NumberOfCurves');
  if (nCurves === undefined) {
    throw new DataFormatError(
      'tag "HistoResult_NumberOfCurves" is missing; cannot locate the histograms',
      { file },
    );
  }
  if (!Number.isInteger(nCurves) || nCurves < 0) {
    throw new DataFormatError(
      `"HistoResult_NumberOfCurves" is ${nCurves}, expected a non-negative integer`,
      { file },
    );
  }
  const globalRes = numberTag(record, 'MeasDesc_Resolution');
  const curves: PhuCurve[] = [];
  for (let i = 0; i < nCurves; i++) {
    const offset = numberTag(record, 'HistResDscr_DataOffset', i);
    const bins = numberTag(record, 'HistResDscr_HistogramBins', i);
    const res = numberTag(record, 'HistResDscr_MDescResolution', i) ?? globalRes;
    if (offset === undefined || bins === undefined) {
      throw new DataFormatError(
        `curve ${i}: tag ${offset === undefined ? '"HistResDscr_DataOffset"' : '"HistResDscr_HistogramBins"'}(${i}) is missing`,
        { file },
      );
    }
    if (res === undefined || !(res > 0)) {
      throw new DataFormatError(
        `curve ${i}: no positive bin width (tag "HistResDscr_MDescResolution"(${i}))`,
        { file },
      );
    }
    if (!Number.isInteger(bins) || bins < 0 || !Number.isInteger(offset) || offset < 0) {
      throw new DataFormatError(`curve ${i}: invalid data offset ${offset} or bin count ${bins}`, {
        file,
      });
    }
    if (offset + 4 * bins > bytes.length) {
      throw new DataFormatError(
        `curve ${i}: ${bins} bins at byte ${offset} need the file to be at least ${offset + 4 * bins} bytes, but it has ${bytes.length} (truncated file)`,
        { file, byteOffset: offset },
      );
    }
    const description: Record<string, PqTagValue> = {};
    for (const t of tags)
      if (t.index === i && t.ident.startsWith('HistResDscr_')) description[t.ident] = t.value;
    curves.push({ index: i, bins, resolutionNs: res * 1e9, dataOffset: offset, description });
  }
  return { version, tags, record, curves };
}

function curveCounts(bytes: Uint8Array, c: PhuCurve): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(c.bins);
  for (let k = 0; k < c.bins; k++) out[k] = view.getUint32(c.dataOffset + 4 * k, true);
  return out;
}

function baseMetadata(header: PhuHeader, file?: string): Record<string, unknown> {
  return {
    format: 'PicoQuant PHU',
    formatVersion: header.version,
    fileName: file ?? null,
    tags: header.record,
  };
}

/**
 * Every curve of a PicoQuant `.phu` file as its own 1-D decay histogram (axis `time` in ns).
 *
 * @example
 * const curves = readPicoQuantPhuCurves(bytes, { fileName: 'decays.phu' });
 * curves[1].metadata.curve; // { index: 1, bins: 65536, resolutionNs: 0.004, ... }
 */
export function readPicoQuantPhuCurves(
  bytes: Uint8Array,
  options: ReaderOptions = {},
): CalibratedArray<Uint32Array>[] {
  const header = readPicoQuantPhuHeader(bytes, options);
  return header.curves.map((c) =>
    calibrated(curveCounts(bytes, c), [uniformAxis('time', 'ns', c.bins, c.resolutionNs, 0)], {
      unit: 'counts',
      name: 'photon counts',
      metadata: { ...baseMetadata(header, options.fileName), curve: c },
    }),
  );
}

/**
 * Read a PicoQuant `.phu` histogram file. One curve gives a 1-D array on a `time` axis (ns);
 * several curves of equal length and bin width give a 2-D array with axes `curve` x `time`.
 * Curves of different lengths need `curve` to pick one (or use `readPicoQuantPhuCurves`).
 *
 * @example
 * const decay = readPicoQuantPhu(bytes, { fileName: 'decay.phu' });
 * decay.axes[decay.axes.length - 1]; // { name: 'time', unit: 'ns', scale: 0.004, ... }
 */
export function readPicoQuantPhu(
  bytes: Uint8Array,
  options: ReaderOptions & { curve?: number } = {},
): CalibratedArray<Uint32Array> {
  const header = readPicoQuantPhuHeader(bytes, options);
  const { curves } = header;
  const file = options.fileName;
  if (curves.length === 0)
    throw new DataFormatError('the file holds no histogram curves', { file });
  const meta = baseMetadata(header, file);
  if (options.curve !== undefined || curves.length === 1) {
    const c = curves[options.curve ?? 0];
    if (!c)
      throw new InvalidInputError(
        `curve ${options.curve} does not exist; the file has curves 0..${curves.length - 1}`,
      );
    return calibrated(
      curveCounts(bytes, c),
      [uniformAxis('time', 'ns', c.bins, c.resolutionNs, 0)],
      {
        unit: 'counts',
        name: 'photon counts',
        metadata: { ...meta, curve: c },
      },
    );
  }
  const c0 = curves[0];
  const same = curves.every(
    (c) =>
      c.bins === c0.bins && Math.abs(c.resolutionNs - c0.resolutionNs) <= 1e-12 * c0.resolutionNs,
  );
  if (!same) {
    throw new InvalidInputError(
      `${file ?? 'file'}: its ${curves.length} curves differ in length or bin width (${curves
        .map((c) => `${c.bins} x ${c.resolutionNs} ns`)
        .join(', ')}); pass { curve: i } or use readPicoQuantPhuCurves`,
    );
  }
  const data = new Uint32Array(curves.length * c0.bins);
  curves.forEach((c, i) => data.set(curveCounts(bytes, c), i * c0.bins));
  return calibrated(
    data,
    [
      uniformAxis('curve', '', curves.length),
      uniformAxis('time', 'ns', c0.bins, c0.resolutionNs, 0),
    ],
    {
      unit: 'counts',
      name: 'photon counts',
      metadata: { ...meta, curves },
    },
  );
}
