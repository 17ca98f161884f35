/**
 * Becker & Hickl `.sdt` TCSPC data files (SPCM software), histogram data blocks.
 *
 * Layout (from `SPC_data_file_structure.h`, distributed with the SPCM software, valid for
 * SPCM 9.66; all structures packed, little-endian, `long` = 32 bits):
 * - file header, 42 bytes: revision (bits 0-3 software revision, bits 4-11 module type), offsets
 *   and lengths of the info text, setup text, first data block and measurement description
 *   blocks, number of data blocks (0x7fff means "see reserved1"), header_valid = 0x5555;
 * - info text `*IDENTIFICATION ... *END` with `ID : SPC Setup & Data File` etc.;
 * - setup text `*SETUP ... *END` (ASCII, optionally with a binary part after `BIN_PARA_BEGIN:`);
 * - measurement description blocks (`MeasureInfo`): TAC range `tac_r` (s), TAC gain `tac_g`,
 *   ADC resolution `adc_re` (time bins per curve), scan and image sizes, ...;
 * - data blocks, each with a 22-byte header (revision < 15) or 22-byte extended header
 *   (revision 15: 40-bit offsets): data offset, next block offset, block type (creation mode,
 *   contents, data type u16/u32/f64, bit 12 = compressed), measurement description block number,
 *   block length in bytes (uncompressed). A compressed block is a ZIP archive holding one entry.
 * The time bin width is tac_r / (tac_g * adc_re).
 */
import { DataFormatError, InvalidInputError } from '../core/errors.js';
import { uniformAxis } from '../data/axis.js';
import { type CalibratedArray, type NumericArray, calibrated } from '../data/calibrated.js';
import type { ReaderOptions } from './picoquant-phu.js';

const HEADER_BYTES = 42;
const BLOCK_HEADER_BYTES = 22;

/** Parsed `.sdt` file header. */
export interface SdtFileHeader {
  revision: number;
  softwareRevision: number;
  moduleType: string;
  infoOffset: number;
  infoLength: number;
  setupOffset: number;
  setupLength: number;
  dataBlockOffset: number;
  numberOfDataBlocks: number;
  dataBlockLength: number;
  measDescBlockOffset: number;
  numberOfMeasDescBlocks: number;
  measDescBlockLength: number;
  headerValid: boolean;
  /** True if the 16-bit words of the header sum to 0x55aa (BH_HEADER_CHKSUM); informative only. */
  checksumOk: boolean;
}

/** The fields of a measurement description block that the reader uses (others are kept raw). */
export interface SdtMeasureInfo {
  time: string;
  date: string;
  moduleSerialNumber: string;
  measMode: number;
  /** TAC range in s. */
  tacRange: number;
  tacGain: number;
  /** TAC offset in % of the range. */
  tacOffset: number;
  /** Time bins per curve (ADC resolution). */
  adcResolution: number;
  collectionTimeS: number;
  repeatTimeS: number;
  moduleType: string;
  scanX: number | null;
  scanY: number | null;
  imageX: number | null;
  imageY: number | null;
  /** True if the SPCM software reversed the time axis of decay curves (dig_flags bit 2). */
  timeAxisReversed: boolean | null;
  mcsPoints: number | null;
  mcsTimeMs: number | null;
  /** Bin width in ns = tac_r / (tac_g * adc_re). */
  binWidthNs: number;
}

/** One data block header. */
export interface SdtBlockHeader {
  index: number;
  byteOffset: number;
  dataOffset: number;
  nextBlockOffset: number;
  blockType: number;
  creationMode: string;
  contents: string;
  dataType: 'uint16' | 'uint32' | 'float64';
  compressed: boolean;
  measDescBlockNo: number;
  blockNumber: number;
  blockLength: number;
}

/** A parsed `.sdt` file before its data blocks are decoded. */
export interface SdtHeader {
  header: SdtFileHeader;
  info: Record<string, string>;
  infoText: string;
  setupText: string;
  measureInfo: SdtMeasureInfo[];
  blocks: SdtBlockHeader[];
}

const MODULES: Record<number, string> = {
  0x20: 'SPC-130',
  0x21: 'SPC-600',
  0x22: 'SPC-630',
  0x23: 'SPC-700',
  0x24: 'SPC-730',
  0x25: 'SPC-830',
  0x26: 'SPC-140',
  0x27: 'SPC-930',
  0x28: 'SPC-150',
  0x29: 'DPC-230',
  0x2a: 'SPC-130EM',
};
const CREATION: Record<number, string> = {
  0: 'NOT_USED',
  1: 'MEAS_DATA',
  2: 'FLOW_DATA',
  3: 'MEAS_DATA_FROM_FILE',
  4: 'CALC_DATA',
  5: 'SIM_DATA',
  8: 'FIFO_DATA',
  9: 'FIFO_DATA_FROM_FILE',
  10: 'MOM_DATA',
  11: 'MOM_DATA_FROM_FILE',
};
const CONTENTS: Record<number, string> = {
  0x0: 'DECAY_BLOCK',
  0x10: 'PAGE_BLOCK',
  0x20: 'FCS_BLOCK',
  0x30: 'FIDA_BLOCK',
  0x40: 'FILDA_BLOCK',
  0x50: 'MCS_BLOCK',
  0x60: 'IMG_BLOCK',
  0x70: 'MCSTA_BLOCK',
  0x80: 'IMG_MCS_BLOCK',
  0x90: 'MOM_BLOCK',
  0xa0: 'IMG_INT_BLOCK',
};
const DTYPES: Record<number, SdtBlockHeader['dataType']> = {
  0x000: 'uint16',
  0x100: 'uint32',
  0x200: 'float64',
};
const DTYPE_BYTES = { uint16: 2, uint32: 4, float64: 8 } as const;
const KNOWN_IDS = [
  'SPC Setup & Data File',
  'SPC DLL Data File',
  'SPC FCS Data File',
  'SPC Flow Data File',
  'SPC Setup Script File',
];

class Bytes {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > this.bytes.length) {
      throw new DataFormatError(
        `${what} needs bytes ${offset}-${offset + length - 1} but the file has ${this.bytes.length} bytes (truncated or corrupt file)`,
        { file: this.file, byteOffset: Math.max(0, Math.min(offset, this.bytes.length)) },
      );
    }
  }
  ascii(offset: number, length: number): string {
    let s = '';
    for (let i = offset; i < offset + length && i < this.bytes.length; i++) {
      const c = this.bytes[i];
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
  text(offset: number, length: number): string {
    return new TextDecoder('windows-1252').decode(this.bytes.subarray(offset, offset + length));
  }
}

function readFileHeader(b: Bytes): SdtFileHeader {
  b.need(0, HEADER_BYTES, 'the 42-byte file header');
  const v = b.view;
  const revision = v.getInt16(0, true) & 0xffff;
  let sum = 0;
  for (let k = 0; k < HEADER_BYTES - 2; k += 2) sum = (sum + v.getUint16(k, true)) & 0xffff;
  const chk = v.getUint16(40, true);
  const nBlocks = v.getInt16(18, true);
  return {
    revision,
    softwareRevision: revision & 0xf,
    moduleType:
      MODULES[(revision >> 4) & 0xff] ?? `unknown (0x${((revision >> 4) & 0xff).toString(16)})`,
    infoOffset: v.getInt32(2, true),
    infoLength: v.getInt16(6, true) & 0xffff,
    setupOffset: v.getInt32(8, true),
    setupLength: v.getInt16(12, true) & 0xffff,
    dataBlockOffset: v.getInt32(14, true),
    numberOfDataBlocks: nBlocks === 0x7fff ? v.getUint32(34, true) : nBlocks,
    dataBlockLength: v.getUint32(20, true),
    measDescBlockOffset: v.getInt32(24, true),
    numberOfMeasDescBlocks: v.getInt16(28, true),
    measDescBlockLength: v.getInt16(30, true) & 0xffff,
    headerValid: v.getUint16(32, true) === 0x5555,
    checksumOk: ((sum + chk) & 0xffff) === 0x55aa,
  };
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^:*][^:]*?)\s*:\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The shortest decimal that rounds to the same float32 (so a stored 5e-8 reads as 5e-8, not 4.99999998e-8). */
function f32(view: DataView, offset: number): number {
  const x = view.getFloat32(offset, true);
  if (!Number.isFinite(x) || x === 0) return x;
  for (let p = 1; p <= 9; p++) {
    const c = Number(x.toPrecision(p));
    if (Math.fround(c) === x) return c;
  }
  return x;
}

function readMeasureInfo(b: Bytes, offset: number, length: number, index: number): SdtMeasureInfo {
  b.need(offset, length, `measurement description block ${index}`);
  if (length < 100) {
    throw new DataFormatError(
      `measurement description block ${index} is only ${length} bytes; at least 100 are needed`,
      {
        file: b.file,
        byteOffset: offset,
      },
    );
  }
  const v = b.view;
  const has = (rel: number, size: number): boolean => rel + size <= length;
  const i32 = (rel: number): number | null => (has(rel, 4) ? v.getInt32(offset + rel, true) : null);
  const tacRange = f32(v, offset + 64);
  const tacGain = v.getInt16(offset + 68, true);
  const adcRaw = v.getInt16(offset + 82, true);
  const adcResolution = adcRaw === 0 ? 65536 : adcRaw & 0xffff;
  return {
    time: b.ascii(offset, 9),
    date: b.ascii(offset + 9, 11),
    moduleSerialNumber: b.ascii(offset + 20, 16),
    measMode: v.getInt16(offset + 36, true),
    tacRange,
    tacGain,
    tacOffset: f32(v, offset + 70),
    adcResolution,
    collectionTimeS: f32(v, offset + 92),
    repeatTimeS: f32(v, offset + 96),
    moduleType: has(117, 16) ? b.ascii(offset + 117, 16) : '',
    scanX: i32(173),
    scanY: i32(177),
    imageX: i32(309),
    imageY: i32(313),
    timeAxisReversed: has(327, 2) ? (v.getInt16(offset + 327, true) & 0b100) !== 0 : null,
    mcsTimeMs: has(351, 4) ? f32(v, offset + 351) : null,
    mcsPoints: i32(355),
    binWidthNs: (tacRange / (tacGain * adcResolution)) * 1e9,
  };
}

function readBlockHeader(
  b: Bytes,
  offset: number,
  index: number,
  revision: number,
): SdtBlockHeader {
  b.need(offset, BLOCK_HEADER_BYTES, `the header of data block ${index}`);
  const v = b.view;
  let dataOffset: number;
  let nextBlockOffset: number;
  if (revision >= 15) {
    dataOffset = v.getUint8(offset) * 2 ** 32 + v.getUint32(offset + 2, true);
    nextBlockOffset = v.getUint8(offset + 1) * 2 ** 32 + v.getUint32(offset + 6, true);
  } else {
    dataOffset = v.getInt32(offset + 2, true);
    nextBlockOffset = v.getInt32(offset + 6, true);
  }
  const blockType = v.getUint16(offset + 10, true);
  const dataType = DTYPES[blockType & 0xf00];
  if (!dataType) {
    throw new DataFormatError(
      `data block ${index} has an unknown data type code 0x${(blockType & 0xf00).toString(16)}`,
      {
        file: b.file,
        byteOffset: offset + 10,
      },
    );
  }
  return {
    index,
    byteOffset: offset,
    dataOffset,
    nextBlockOffset,
    blockType,
    creationMode: CREATION[blockType & 0xf] ?? `unknown (${blockType & 0xf})`,
    contents: CONTENTS[blockType & 0xf0] ?? `unknown (0x${(blockType & 0xf0).toString(16)})`,
    dataType,
    compressed: (blockType & 0x1000) !== 0,
    measDescBlockNo: v.getInt16(offset + 12, true),
    blockNumber: v.getUint32(offset + 14, true),
    blockLength: v.getUint32(offset + 18, true),
  };
}

/**
 * Read the header, info, setup, measurement descriptions and data block headers of a Becker &
 * Hickl `.sdt` file, without decoding the data.
 *
 * @example
 * const h = readBeckerHicklSdtHeader(bytes, { fileName: 'decay.sdt' });
 * h.measureInfo[0].binWidthNs; // e.g. 0.0122
 */
export function readBeckerHicklSdtHeader(
  bytes: Uint8Array,
  options: ReaderOptions = {},
): SdtHeader {
  const b = new Bytes(bytes, options.fileName);
  const header = readFileHeader(b);
  if (
    header.infoOffset < HEADER_BYTES ||
    header.infoOffset >= bytes.length ||
    header.infoLength === 0
  ) {
    throw new DataFormatError(
      `not a Becker & Hickl .sdt file: the info section offset (${header.infoOffset}) or length (${header.infoLength}) is invalid`,
      { file: b.file, byteOffset: 2 },
    );
  }
  b.need(header.infoOffset, header.infoLength, 'the info section');
  const infoText = b.text(header.infoOffset, header.infoLength);
  if (!infoText.includes('*IDENTIFICATION')) {
    throw new DataFormatError(
      'not a Becker & Hickl .sdt file: the info section does not start with "*IDENTIFICATION"',
      {
        file: b.file,
        byteOffset: header.infoOffset,
      },
    );
  }
  const info = parseInfo(infoText);
  const id = (info.ID ?? '').trim();
  if (!KNOWN_IDS.some((k) => id.includes(k))) {
    throw new DataFormatError(`unsupported .sdt file type: info ID is "${id}"`, {
      file: b.file,
      byteOffset: header.infoOffset,
    });
  }
  if (!header.headerValid) {
    throw new DataFormatError(
      'the file header is marked not valid (header_valid != 0x5555); the file was not saved completely',
      {
        file: b.file,
        byteOffset: 32,
      },
    );
  }
  let setupText = '';
  if (header.setupLength > 0) {
    b.need(header.setupOffset, header.setupLength, 'the setup section');
    const raw = bytes.subarray(header.setupOffset, header.setupOffset + header.setupLength);
    let cut = raw.length;
    const marker = new TextEncoder().encode('BIN_PARA_BEGIN');
    outer: for (let i = 0; i + marker.length <= raw.length; i++) {
      for (let k = 0; k < marker.length; k++) if (raw[i + k] !== marker[k]) continue outer;
      cut = i;
      break;
    }
    setupText = new TextDecoder('windows-1252').decode(raw.subarray(0, cut));
  }
  const measureInfo: SdtMeasureInfo[] = [];
  for (let i = 0; i < header.numberOfMeasDescBlocks; i++) {
    measureInfo.push(
      readMeasureInfo(
        b,
        header.measDescBlockOffset + i * header.measDescBlockLength,
        header.measDescBlockLength,
        i,
      ),
    );
  }
  const blocks: SdtBlockHeader[] = [];
  let offset = header.dataBlockOffset;
  for (let i = 0; i < header.numberOfDataBlocks; i++) {
    const bh = readBlockHeader(b, offset, i, header.softwareRevision);
    if (bh.measDescBlockNo < 0 || bh.measDescBlockNo >= measureInfo.length) {
      throw new DataFormatError(
        `data block ${i} refers to measurement description block ${bh.measDescBlockNo}, but the file has ${measureInfo.length}`,
        { file: b.file, byteOffset: offset + 12 },
      );
    }
    blocks.push(bh);
    offset = bh.nextBlockOffset;
  }
  return { header, info, infoText, setupText, measureInfo, blocks };
}

function decodeValues(
  raw: Uint8Array,
  dataType: SdtBlockHeader['dataType'],
  count: number,
): NumericArray {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dataType === 'uint16') {
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true);
    return out;
  }
  if (dataType === 'uint32') {
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
    return out;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

/** A ZIP archive entry located inside a compressed data block. */
interface ZipEntry {
  method: number;
  crc32: number;
  compressed: Uint8Array;
  uncompressedSize: number;
}

function locateZipEntry(b: Bytes, start: number, end: number, blockIndex: number): ZipEntry {
  const v = b.view;
  b.need(start, 30, `the compressed data of block ${blockIndex}`);
  if (v.getUint32(start, true) !== 0x04034b50) {
    throw new DataFormatError(
      `data block ${blockIndex} is marked compressed but does not hold a ZIP entry`,
      {
        file: b.file,
        byteOffset: start,
      },
    );
  }
  const flags = v.getUint16(start + 6, true);
  const method = v.getUint16(start + 8, true);
  let crc32 = v.getUint32(start + 14, true);
  let compSize = v.getUint32(start + 18, true);
  let size = v.getUint32(start + 22, true);
  const nameLen = v.getUint16(start + 26, true);
  const extraLen = v.getUint16(start + 28, true);
  const dataStart = start + 30 + nameLen + extraLen;
  if ((flags & 0x8) !== 0) {
    // sizes and CRC are in the central directory: find it from the end-of-central-directory record
    let eocd = -1;
    for (let p = end - 22; p >= Math.max(start, end - 22 - 65535); p--) {
      if (v.getUint32(p, true) === 0x06054b50) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      throw new DataFormatError(
        `compressed data block ${blockIndex}: ZIP central directory not found`,
        {
          file: b.file,
          byteOffset: start,
        },
      );
    }
    const cd = start + v.getUint32(eocd + 16, true);
    b.need(cd, 46, `the ZIP central directory of block ${blockIndex}`);
    crc32 = v.getUint32(cd + 16, true);
    compSize = v.getUint32(cd + 20, true);
    size = v.getUint32(cd + 24, true);
  }
  b.need(dataStart, compSize, `the compressed data of block ${blockIndex}`);
  return {
    method,
    crc32,
    compressed: b.bytes.subarray(dataStart, dataStart + compSize),
    uncompressedSize: size,
  };
}

async function inflateRaw(data: Uint8Array, crc32: number, size: number): Promise<Uint8Array> {
  let stream: DecompressionStream;
  let input: Uint8Array;
  try {
    stream = new DecompressionStream('deflate-raw' as CompressionFormat);
    input = data;
  } catch {
    // older runtimes know only gzip/deflate: wrap the raw deflate data as a gzip member
    stream = new DecompressionStream('gzip');
    input = new Uint8Array(10 + data.length + 8);
    input.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    input.set(data, 10);
    const t = new DataView(input.buffer);
    t.setUint32(10 + data.length, crc32 >>> 0, true);
    t.setUint32(14 + data.length, size >>> 0, true);
  }
  const out = new Response(
    new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream),
  );
  return new Uint8Array(await out.arrayBuffer());
}

type BlockData = { raw: Uint8Array; count: number };

function uncompressedBlock(b: Bytes, bh: SdtBlockHeader): BlockData {
  const size = DTYPE_BYTES[bh.dataType];
  b.need(bh.dataOffset, bh.blockLength, `data block ${bh.index} (${bh.blockLength} bytes)`);
  return {
    raw: b.bytes.subarray(bh.dataOffset, bh.dataOffset + bh.blockLength),
    count: Math.floor(bh.blockLength / size),
  };
}

async function compressedBlock(b: Bytes, bh: SdtBlockHeader): Promise<BlockData> {
  const end =
    bh.nextBlockOffset > bh.dataOffset && bh.nextBlockOffset <= b.bytes.length
      ? bh.nextBlockOffset
      : b.bytes.length;
  const entry = locateZipEntry(b, bh.dataOffset, end, bh.index);
  let raw: Uint8Array;
  if (entry.method === 0) raw = entry.compressed;
  else if (entry.method === 8) {
    try {
      raw = await inflateRaw(entry.compressed, entry.crc32, entry.uncompressedSize);
    } catch (e) {
      throw new DataFormatError(
        `compressed data block ${bh.index} could not be decompressed: ${(e as Error).message}`,
        {
          file: b.file,
          byteOffset: bh.dataOffset,
        },
      );
    }
  } else {
    throw new DataFormatError(
      `compressed data block ${bh.index} uses ZIP method ${entry.method}; only deflate (8) is supported`,
      {
        file: b.file,
        byteOffset: bh.dataOffset,
      },
    );
  }
  if (raw.length < bh.blockLength) {
    throw new DataFormatError(
      `compressed data block ${bh.index} expands to ${raw.length} bytes, but its header declares ${bh.blockLength}`,
      { file: b.file, byteOffset: bh.dataOffset },
    );
  }
  return { raw, count: Math.floor(bh.blockLength / DTYPE_BYTES[bh.dataType]) };
}

function shapeBlock(
  h: SdtHeader,
  bh: SdtBlockHeader,
  d: BlockData,
  file: string | undefined,
): CalibratedArray {
  const mi = h.measureInfo[bh.measDescBlockNo];
  const values = decodeValues(d.raw, bh.dataType, d.count);
  const meta = {
    format: 'Becker & Hickl SDT',
    fileName: file ?? null,
    info: h.info,
    fileHeader: h.header,
    block: bh,
    measureInfo: mi,
    setup: h.setupText,
  };
  const name = 'photon counts';
  const unit = bh.dataType === 'float64' ? '' : 'counts';
  if (bh.contents === 'MCS_BLOCK' && mi.mcsPoints && mi.mcsTimeMs) {
    return calibrated(values, [uniformAxis('time', 'ms', d.count, mi.mcsTimeMs, 0)], {
      unit,
      name,
      metadata: meta,
    });
  }
  const nt = mi.adcResolution;
  if (!(mi.tacRange > 0) || !(mi.tacGain > 0)) {
    throw new DataFormatError(
      `measurement description block ${bh.measDescBlockNo}: TAC range ${mi.tacRange} s and gain ${mi.tacGain} do not give a time axis`,
      {
        file,
        byteOffset:
          h.header.measDescBlockOffset + bh.measDescBlockNo * h.header.measDescBlockLength + 64,
      },
    );
  }
  if (d.count % nt !== 0) {
    throw new DataFormatError(
      `data block ${bh.index} has ${d.count} values, not a multiple of the ${nt} time bins per curve`,
      { file, byteOffset: bh.dataOffset },
    );
  }
  const time = uniformAxis('time', 'ns', nt, mi.binWidthNs, 0);
  const nCurves = d.count / nt;
  const image = (w: number | null, hgt: number | null): boolean =>
    w !== null && hgt !== null && w > 0 && hgt > 0 && w * hgt === nCurves && nCurves > 1;
  if (image(mi.imageX, mi.imageY)) {
    return calibrated(
      values,
      [uniformAxis('y', '', mi.imageY!), uniformAxis('x', '', mi.imageX!), time],
      { unit, name, metadata: meta },
    );
  }
  if (image(mi.scanX, mi.scanY)) {
    return calibrated(
      values,
      [uniformAxis('y', '', mi.scanY!), uniformAxis('x', '', mi.scanX!), time],
      { unit, name, metadata: meta },
    );
  }
  if (nCurves === 1) return calibrated(values, [time], { unit, name, metadata: meta });
  return calibrated(values, [uniformAxis('curve', '', nCurves), time], {
    unit,
    name,
    metadata: meta,
  });
}

/** Options for the `.sdt` readers. */
export interface SdtReaderOptions extends ReaderOptions {
  /** Data block to return (default 0). */
  block?: number;
}

function pickBlock(h: SdtHeader, options: SdtReaderOptions): SdtBlockHeader {
  if (h.blocks.length === 0)
    throw new DataFormatError('the file holds no data blocks', { file: options.fileName });
  const i = options.block ?? 0;
  const bh = h.blocks[i];
  if (!bh)
    throw new InvalidInputError(
      `data block ${i} does not exist; the file has blocks 0..${h.blocks.length - 1}`,
    );
  return bh;
}

/**
 * Read one data block of a Becker & Hickl `.sdt` file (synchronously). Decay curves come out on
 * a `time` axis in ns; a page of several curves as `curve` x `time`; a FLIM image as
 * `y` x `x` x `time`. Compressed (zipped) blocks need `readBeckerHicklSdtAsync`.
 *
 * @example
 * const decay = readBeckerHicklSdt(bytes, { fileName: 'decay.sdt' });
 */
export function readBeckerHicklSdt(
  bytes: Uint8Array,
  options: SdtReaderOptions = {},
): CalibratedArray {
  const h = readBeckerHicklSdtHeader(bytes, options);
  const bh = pickBlock(h, options);
  if (bh.compressed) {
    throw new DataFormatError(
      `data block ${bh.index} is compressed; read this file with readBeckerHicklSdtAsync (decompression is asynchronous)`,
      { file: options.fileName, byteOffset: bh.byteOffset },
    );
  }
  return shapeBlock(
    h,
    bh,
    uncompressedBlock(new Bytes(bytes, options.fileName), bh),
    options.fileName,
  );
}

/**
 * Read one data block of a Becker & Hickl `.sdt` file, decompressing zipped blocks with the
 * platform's `DecompressionStream` (Node >= 20 and browsers).
 *
 * @example
 * const flim = await readBeckerHicklSdtAsync(bytes, { fileName: 'cells.sdt' });
 */
export async function readBeckerHicklSdtAsync(
  bytes: Uint8Array,
  options: SdtReaderOptions = {},
): Promise<CalibratedArray> {
  const h = readBeckerHicklSdtHeader(bytes, options);
  const bh = pickBlock(h, options);
  const b = new Bytes(bytes, options.fileName);
  const d = bh.compressed ? await compressedBlock(b, bh) : uncompressedBlock(b, bh);
  return shapeBlock(h, bh, d, options.fileName);
}

/**
 * Every data block of a Becker & Hickl `.sdt` file.
 *
 * @example
 * const blocks = await readBeckerHicklSdtBlocks(bytes);
 */
export async function readBeckerHicklSdtBlocks(
  bytes: Uint8Array,
  options: ReaderOptions = {},
): Promise<CalibratedArray[]> {
  const h = readBeckerHicklSdtHeader(bytes, options);
  const b = new Bytes(bytes, options.fileName);
  const out: CalibratedArray[] = [];
  for (const bh of h.blocks) {
    const d = bh.compressed ? await compressedBlock(b, bh) : uncompressedBlock(b, bh);
    out.push(shapeBlock(h, bh, d, options.fileName));
  }
  return out;
}
