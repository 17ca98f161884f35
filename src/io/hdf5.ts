/**
 * HDF5 files (`.h5`, `.hdf5`, HyperSpy `.hspy`, Berkeley `.emd`, ...) read with h5wasm, the HDF5
 * C library compiled to WebAssembly, so the same code runs in Node and in browsers.
 *
 * How a file is read: the caller passes the file's bytes; the reader checks the HDF5 signature
 * (`\x89HDF\r\n\x1a\n` at byte 0, 512, 1024, 2048, ...) and the end-of-file address stored in
 * the superblock (a shorter file is truncated), writes the bytes into h5wasm's in-memory
 * (Emscripten MEMFS) file system under a private name, opens it read-only, walks the whole tree
 * (groups, datasets, attributes, soft and external links), reads the datasets, then closes the
 * file and deletes it from MEMFS (also when reading fails). Nothing stays open.
 *
 * Loading h5wasm: the library (about 4 MB of JavaScript with the WebAssembly inlined) is loaded
 * lazily, by a dynamic `import()` on the first read, so code that never reads HDF5 never pays for
 * it, and the browser bundle (`scripts/build-browser.mjs`) does not include it. Node resolves
 * the bare specifier `h5wasm` from `node_modules` (vitest, tsx and compiled `dist/` alike). In a
 * browser, either map `h5wasm` to `node_modules/h5wasm/dist/esm/hdf5_hl.js` with an import map,
 * or hand the reader the module yourself, which also lets a bundler include it:
 * `setH5wasmLoader(() => import('h5wasm'))`.
 *
 * Data types: integers of 1-8 bytes, floats of 2 (half precision, converted to Float32Array), 4
 * and 8 bytes, booleans (h5py's FALSE/TRUE enum) and other enums (their integer codes) are
 * numeric. 64-bit integers become Float64Array (exact up to 2^53). Strings, compounds and other
 * types are listed in the tree and available as JSON values through `value(path)`, but not as
 * calibrated arrays.
 *
 * Calibration conventions understood by `dataset(path)` and `readCalibratedHdf5`:
 * - HyperSpy (`.hspy`, `file_format = "HyperSpy"`): signal `Experiments/<name>/data`, one group
 *   `axis-<i>` per array dimension i with attributes `name`, `units`, `scale`, `offset`, `size`,
 *   `navigate` (non-uniform axes: an `axis` attribute or dataset with the coordinates); the
 *   `metadata` and `original_metadata` groups become `metadata.hyperspy`.
 * - Berkeley EMD (`version_major` attribute on the root): a group with an `emd_group_type`
 *   attribute holding `data` and one vector `dim<i>` per dimension (dim1 for the first, slowest
 *   dimension), each with `name` and `units` (`[n_m]` -> `nm`) attributes. A vector shorter than
 *   its dimension gives the start and step of a linear axis.
 * - HDF5 dimension scales (h5py `dims`, netCDF-4): the first scale attached to each dimension
 *   gives the coordinates, its `units`/`unit` attribute the unit, the dimension label or the
 *   scale's name the axis name.
 * Otherwise axes are uncalibrated indices named `dim0`, `dim1`, ...
 *
 * @module
 */
import { DataFormatError, InvalidInputError, NanolumError } from '../core/errors.js';
import { type Axis, coordinateAxis, uniformAxis } from '../data/axis.js';
import { type CalibratedArray, type NumericArray, calibrated } from '../data/calibrated.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** An attribute or small dataset value decoded to plain JSON-like data. */
export type Hdf5Value =
  string | number | boolean | null | Hdf5Value[] | { [key: string]: Hdf5Value };

interface Hdf5NodeBase {
  /** Last path component (`data`); `` for the root group. */
  name: string;
  /** Absolute path inside the file, `/` for the root. */
  path: string;
  /** Attributes decoded to JS values (strings, numbers, booleans, nested arrays; null if unreadable). */
  attributes: Record<string, Hdf5Value>;
}

/** A group: a folder of groups, datasets and links. */
export interface Hdf5GroupNode extends Hdf5NodeBase {
  kind: 'group';
  children: Hdf5Node[];
}

/** A dataset: an n-dimensional array of one data type. */
export interface Hdf5DatasetNode extends Hdf5NodeBase {
  kind: 'dataset';
  /** Dimensions, slowest first (row-major); `[]` for a scalar, `null` for an empty (null) dataspace. */
  shape: number[] | null;
  /** Number of elements (product of the shape; 0 for a null dataspace). */
  elements: number;
  /** `float16`, `float32`, `float64`, `int8` ... `uint64`, `bool`, `enum`, `string`, `compound`, `array`, `vlen`, `reference`, `opaque`, `bitfield`, `time`. */
  dtype: string;
  /** True if the values can be read as numbers (a `CalibratedArray`). */
  numeric: boolean;
  /** Chunk shape, null if contiguous. */
  chunks: number[] | null;
  /** Names of the compression/filter pipeline (`deflate`, `shuffle`, ...). */
  filters: string[];
  /** Per dimension, the path of the first attached dimension scale (null where none). */
  dimensionScales?: Array<string | null>;
  /** Per dimension, the dimension label (null where none). */
  dimensionLabels?: Array<string | null>;
}

/** A soft link (its `target` path, maybe dangling) or an external link (`file` + `target`). */
export interface Hdf5LinkNode extends Hdf5NodeBase {
  kind: 'link';
  target: string;
  /** For an external link: the other file. External links are listed, never followed. */
  file?: string;
}

/** A named (committed) datatype. */
export interface Hdf5DatatypeNode extends Hdf5NodeBase {
  kind: 'datatype';
}

export type Hdf5Node = Hdf5GroupNode | Hdf5DatasetNode | Hdf5LinkNode | Hdf5DatatypeNode;

/**
 * An HDF5 file read into memory: a plain tree (`root`, JSON-serialisable) plus accessors for the
 * dataset values. The file itself is already closed.
 */
export interface Hdf5File {
  fileName: string;
  byteLength: number;
  /** Byte offset of the superblock (0, or the size of a user block: 512, 1024, ...). */
  superblockOffset: number;
  /** `hyperspy`, `emd` or `hdf5` (no known convention). */
  convention: 'hyperspy' | 'emd' | 'hdf5';
  root: Hdf5GroupNode;
  /** The node at `path` (links are not followed), or undefined. */
  get(path: string): Hdf5Node | undefined;
  /** Paths of all datasets, in tree order. */
  datasetPaths(): string[];
  /** A numeric dataset as a calibrated array (axes from the conventions above, else `dim0`...). */
  dataset(path: string): CalibratedArray;
  /** Any dataset's values as plain JSON (numbers, strings, compound rows; nested by shape). */
  value(path: string): Hdf5Value;
}

/** Options of `readHdf5`. */
export interface ReadHdf5Options {
  /** File name, for messages and metadata. */
  fileName?: string;
  /**
   * Which datasets to read (default: all). Datasets left out stay in the tree but `dataset()` and
   * `value()` refuse them. Use it to skip large arrays you do not need.
   */
  load?: (dataset: Hdf5DatasetNode) => boolean;
}

/** Options of `readCalibratedHdf5`. */
export interface ReadCalibratedHdf5Options {
  fileName?: string;
  /**
   * Dataset to read, or a group holding a `data` dataset (HyperSpy `Experiments/<name>`, EMD
   * `data/<name>`). A bare HyperSpy signal name (`cathodoluminescence_example`) also works.
   * Default: the first HyperSpy or EMD signal, else the largest numeric dataset.
   */
  path?: string;
}

// ---------------------------------------------------------------------------------------------
// Loading h5wasm (lazily; platform-neutral)

/** The h5wasm ES module (`import('h5wasm')`). */
export type H5wasmModule = typeof import('h5wasm');

type H5Module = Awaited<H5wasmModule['ready']>;
type H5Group = InstanceType<H5wasmModule['Group']>;
type H5Dataset = InstanceType<H5wasmModule['Dataset']>;

// A specifier held in a variable: bundlers leave the import alone (no 4 MB inlined into the
// browser bundle); Node and vite-node resolve it from node_modules at run time.
const H5WASM_SPECIFIER = 'h5wasm';
const defaultLoader = (): Promise<H5wasmModule> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ H5WASM_SPECIFIER) as Promise<H5wasmModule>;
let loader: () => Promise<H5wasmModule> = defaultLoader;
let loading: Promise<{ h5: H5wasmModule; M: H5Module }> | undefined;

/**
 * Choose how the HDF5 readers obtain h5wasm: for browsers without an import map, or to let your
 * bundler include it. Call before the first read (a later call replaces the loaded module).
 *
 * @example
 * setH5wasmLoader(() => import('h5wasm'));
 */
export function setH5wasmLoader(load: () => Promise<H5wasmModule>): void {
  loader = load;
  loading = undefined;
}

/**
 * The h5wasm module the readers use, loaded and initialised (its `FS` is the in-memory file
 * system the readers write into). Useful to write HDF5 files, e.g. in tests.
 *
 * @example
 * const h5 = await loadH5wasm();
 * const f = new h5.File('/out.h5', 'w'); f.create_dataset({ name: 'x', data: new Float64Array([1, 2]) }); f.close();
 * const bytes = h5.FS!.readFile('/out.h5') as Uint8Array;
 */
export async function loadH5wasm(): Promise<H5wasmModule> {
  return (await ready()).h5;
}

function ready(): Promise<{ h5: H5wasmModule; M: H5Module }> {
  if (!loading) {
    loading = (async () => {
      let h5: H5wasmModule;
      try {
        h5 = await loader();
        const M = await h5.ready;
        return { h5, M };
      } catch (e) {
        loading = undefined;
        throw new NanolumError(
          `cannot load the HDF5 library h5wasm (${e instanceof Error ? e.message : String(e)}). In a browser, map "h5wasm" to h5wasm/dist/esm/hdf5_hl.js with an import map, or call setH5wasmLoader(() => import('h5wasm'))`,
          'HDF5_UNAVAILABLE',
        );
      }
    })();
  }
  return loading;
}

// ---------------------------------------------------------------------------------------------
// Signature, superblock and truncation

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function signatureAt(bytes: Uint8Array, offset: number): boolean {
  if (offset + 8 > bytes.length) return false;
  for (let i = 0; i < 8; i++) if (bytes[offset + i] !== SIGNATURE[i]) return false;
  return true;
}

/** Offset of the HDF5 superblock (0, 512, 1024, ...), or -1 if the bytes have no HDF5 signature. */
function superblockOffset(bytes: Uint8Array): number {
  if (signatureAt(bytes, 0)) return 0;
  for (let off = 512; off + 8 <= bytes.length; off *= 2) if (signatureAt(bytes, off)) return off;
  return -1;
}

/**
 * True if the bytes start like an HDF5 file (the signature at byte 0, 512, 1024, 2048, ...).
 *
 * @example
 * isHdf5(bytes) ? await readHdf5(bytes, { fileName }) : readTplmText(new TextDecoder().decode(bytes));
 */
export function isHdf5(bytes: Uint8Array): boolean {
  return superblockOffset(bytes) >= 0;
}

function readUint(bytes: Uint8Array, offset: number, size: number): number | null {
  if (offset + size > bytes.length) return null;
  let v = 0;
  let allOnes = true;
  for (let i = size - 1; i >= 0; i--) {
    const b = bytes[offset + i];
    if (b !== 0xff) allOnes = false;
    v = v * 256 + b;
  }
  return allOnes ? null : v; // all ones = "undefined address"
}

/** Base address and end-of-file address from the superblock (versions 0-3), if readable. */
function superblockExtent(bytes: Uint8Array, sb: number): { base: number; eof: number } | null {
  const version = bytes[sb + 8];
  let sizeOfOffsets: number;
  let baseAt: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = bytes[sb + 13];
    baseAt = sb + (version === 0 ? 24 : 28);
    eofAt = baseAt + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = bytes[sb + 9];
    baseAt = sb + 12;
    eofAt = baseAt + 2 * sizeOfOffsets;
  } else return null;
  if (![2, 4, 8].includes(sizeOfOffsets)) return null;
  if (eofAt + sizeOfOffsets > bytes.length) return { base: 0, eof: Infinity };
  const base = readUint(bytes, baseAt, sizeOfOffsets);
  const eof = readUint(bytes, eofAt, sizeOfOffsets);
  if (base === null || eof === null) return null;
  return { base, eof };
}

function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty';
  const head = bytes.subarray(0, 4);
  if ((head[0] === 0x49 && head[1] === 0x49) || (head[0] === 0x4d && head[1] === 0x4d))
    return 'it starts like a TIFF file';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'it starts like a ZIP archive';
  if (head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46)
    return 'it starts like a netCDF-3 file (netCDF-4 files are HDF5)';
  let printable = 0;
  const n = Math.min(bytes.length, 256);
  for (let i = 0; i < n; i++)
    if (
      (bytes[i] >= 0x20 && bytes[i] < 0x7f) ||
      bytes[i] === 9 ||
      bytes[i] === 10 ||
      bytes[i] === 13
    )
      printable++;
  if (printable === n) return 'it looks like a text file';
  return `its first bytes are ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

// ---------------------------------------------------------------------------------------------
// Opening a file in MEMFS

let scratchCounter = 0;

/** HDF5's error stack printed to stderr, captured while a file is read (not printed). */
interface Diagnostics {
  lines: string[];
  stop(): void;
}

interface TtyStream {
  tty?: { ops: { put_char(tty: unknown, val: number | null): void; fsync(tty: unknown): void } };
}

/**
 * Divert Emscripten's stderr (where the HDF5 library prints its error stack) into `lines`, so a
 * damaged file gives one clear error instead of a page of `HDF5-DIAG` output. Does nothing if
 * the h5wasm build lays out its streams differently.
 */
function captureStderr(FS: { getStream?(fd: number): TtyStream | null }): Diagnostics {
  const lines: string[] = [];
  const stream = typeof FS.getStream === 'function' ? FS.getStream(2) : null;
  const tty = stream?.tty;
  if (!tty || !tty.ops || typeof tty.ops.put_char !== 'function')
    return { lines, stop: () => undefined };
  const original = tty.ops;
  let current: number[] = [];
  const flush = (): void => {
    if (current.length) lines.push(new TextDecoder().decode(Uint8Array.from(current)));
    current = [];
  };
  tty.ops = {
    put_char: (_t, val) => {
      if (val === null || val === 10) flush();
      else if (val !== 0) current.push(val);
    },
    fsync: () => flush(),
  };
  return {
    lines,
    stop: () => {
      flush();
      tty.ops = original;
    },
  };
}

/** The HDF5 library's own reasons (innermost last), from captured diagnostics. */
function hdf5Reason(lines: string[], from = 0): string {
  const reasons: string[] = [];
  for (const l of lines.slice(from)) {
    const m = /#\d+: .* in [\w.]+\(\): (.*)$/.exec(l);
    if (m) reasons.push(m[1].trim());
  }
  const tail = reasons.slice(-2);
  return tail.length ? ` (HDF5: ${tail.join('; ')})` : '';
}

async function withHdf5File<T>(
  bytes: Uint8Array,
  fileName: string,
  fn: (
    f: InstanceType<H5wasmModule['File']>,
    h5: H5wasmModule,
    M: H5Module,
    diagnostics: Diagnostics,
  ) => T,
): Promise<T> {
  if (!(bytes instanceof Uint8Array))
    throw new InvalidInputError(`${fileName}: expected the file's bytes as a Uint8Array`);
  const sb = superblockOffset(bytes);
  if (sb < 0) {
    throw new DataFormatError(
      `not an HDF5 file: no HDF5 signature (\\x89HDF\\r\\n\\x1a\\n) at byte 0, 512, 1024, ...; ${describeStart(bytes)}`,
      { file: fileName },
    );
  }
  const extent = superblockExtent(bytes, sb);
  if (extent && extent.eof === Infinity) {
    throw new DataFormatError(
      `the HDF5 file is truncated: it has ${bytes.length} bytes and ends inside its superblock; copy or download it again`,
      { file: fileName },
    );
  }
  if (extent && bytes.length < extent.base + extent.eof) {
    throw new DataFormatError(
      `the HDF5 file is truncated: it has ${bytes.length} bytes but its superblock says it ends at byte ${extent.base + extent.eof} (${extent.base + extent.eof - bytes.length} bytes missing); copy or download it again`,
      { file: fileName },
    );
  }
  const { h5, M } = await ready();
  const FS = M.FS as unknown as {
    writeFile(p: string, d: Uint8Array): void;
    unlink(p: string): void;
    analyzePath(p: string): { exists: boolean };
    getStream?(fd: number): TtyStream | null;
  };
  const scratch = `/nanolum-hdf5-${++scratchCounter}.h5`;
  const diagnostics = captureStderr(FS);
  let f: InstanceType<H5wasmModule['File']> | undefined;
  try {
    FS.writeFile(scratch, bytes);
    f = new h5.File(scratch, 'r');
    if (typeof f.file_id !== 'bigint' || f.file_id < 0n) {
      f = undefined;
      throw new DataFormatError(
        `the HDF5 library could not open the file: it is damaged${hdf5Reason(diagnostics.lines)}`,
        { file: fileName },
      );
    }
    try {
      return fn(f, h5, M, diagnostics);
    } catch (e) {
      if (e instanceof NanolumError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new DataFormatError(
        `the HDF5 file is damaged: its structure could not be read (${why})${hdf5Reason(diagnostics.lines)}`,
        { file: fileName },
      );
    }
  } finally {
    try {
      f?.close();
    } finally {
      if (FS.analyzePath(scratch).exists) FS.unlink(scratch);
      diagnostics.stop();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Data types and values

const H5T = {
  INTEGER: 0,
  FLOAT: 1,
  TIME: 2,
  STRING: 3,
  BITFIELD: 4,
  OPAQUE: 5,
  COMPOUND: 6,
  REFERENCE: 7,
  ENUM: 8,
  VLEN: 9,
  ARRAY: 10,
} as const;

interface MetaLike {
  type: number;
  size: number;
  signed: boolean;
  shape: number[] | null;
  total_size: number;
  chunks?: number[] | null;
  enum_type?: { type: number; members: Record<string, number> };
}

function isBoolEnum(m: MetaLike): boolean {
  const mem = m.enum_type?.members;
  if (!mem) return false;
  const keys = Object.keys(mem);
  return keys.length === 2 && mem.FALSE === 0 && mem.TRUE === 1;
}

function dtypeName(m: MetaLike): string {
  switch (m.type) {
    case H5T.INTEGER:
      return `${m.signed ? 'int' : 'uint'}${m.size * 8}`;
    case H5T.FLOAT:
      return `float${m.size * 8}`;
    case H5T.TIME:
      return 'time';
    case H5T.STRING:
      return 'string';
    case H5T.BITFIELD:
      return 'bitfield';
    case H5T.OPAQUE:
      return 'opaque';
    case H5T.COMPOUND:
      return 'compound';
    case H5T.REFERENCE:
      return 'reference';
    case H5T.ENUM:
      return isBoolEnum(m) ? 'bool' : 'enum';
    case H5T.VLEN:
      return 'vlen';
    case H5T.ARRAY:
      return 'array';
    default:
      return 'unknown';
  }
}

/** Element class, size and signedness to decode raw little-endian bytes, or null if not numeric. */
function numericLayout(m: MetaLike): { float: boolean; size: number; signed: boolean } | null {
  if (m.type === H5T.FLOAT && [2, 4, 8].includes(m.size))
    return { float: true, size: m.size, signed: true };
  if ((m.type === H5T.INTEGER || m.type === H5T.BITFIELD) && [1, 2, 4, 8].includes(m.size))
    return { float: false, size: m.size, signed: m.type === H5T.INTEGER && m.signed };
  if (
    m.type === H5T.ENUM &&
    m.enum_type &&
    m.enum_type.type === H5T.INTEGER &&
    [1, 2, 4, 8].includes(m.size)
  )
    return { float: false, size: m.size, signed: m.signed };
  return null;
}

/**
 * An IEEE 754 half-precision (float16) bit pattern to a number (HyperSpy saves `float16` data;
 * JavaScript has no Float16Array in Node 20).
 *
 * @example
 * float16ToNumber(0x3c00); // 1
 * float16ToNumber(0x7bff); // 65504, the largest float16
 */
export function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

function decodeNumeric(
  raw: Uint8Array,
  layout: { float: boolean; size: number; signed: boolean },
  n: number,
): NumericArray {
  const buf = raw.byteOffset % 8 === 0 ? raw.buffer : raw.slice().buffer;
  const off = raw.byteOffset % 8 === 0 ? raw.byteOffset : 0;
  if (layout.float) {
    if (layout.size === 8) return new Float64Array(buf, off, n);
    if (layout.size === 4) return new Float32Array(buf, off, n);
    const u = new Uint16Array(buf, off, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = float16ToNumber(u[i]);
    return out;
  }
  switch (layout.size) {
    case 1:
      return layout.signed ? new Int8Array(buf, off, n) : new Uint8Array(buf, off, n);
    case 2:
      return layout.signed ? new Int16Array(buf, off, n) : new Uint16Array(buf, off, n);
    case 4:
      return layout.signed ? new Int32Array(buf, off, n) : new Uint32Array(buf, off, n);
    default: {
      const big = layout.signed ? new BigInt64Array(buf, off, n) : new BigUint64Array(buf, off, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(big[i]);
      return out;
    }
  }
}

/** Typed arrays, bigints and h5wasm objects to plain JSON-like values. */
function plain(v: unknown): Hdf5Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return Array.from(v as unknown as ArrayLike<number | bigint>, (x) =>
      typeof x === 'bigint' ? Number(x) : x,
    );
  if (Array.isArray(v)) return v.map(plain);
  return null; // references and other objects
}

function nest(flat: Hdf5Value[], shape: number[]): Hdf5Value {
  if (shape.length <= 1) return flat;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  const out: Hdf5Value[] = [];
  for (let i = 0; i < shape[0]; i++)
    out.push(nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
  return out;
}

function readRaw(
  M: H5Module,
  nbytes: number,
  read: (ptr: number) => number,
  what: string,
  fileName: string,
): Uint8Array {
  if (nbytes === 0) return new Uint8Array(0);
  const ptr = M._malloc(nbytes);
  if (!ptr)
    throw new DataFormatError(`${what}: not enough memory to read ${nbytes} bytes`, {
      file: fileName,
    });
  try {
    const status = read(ptr);
    if (typeof status === 'number' && status < 0)
      throw new DataFormatError(`${what}: the HDF5 library could not read the values`, {
        file: fileName,
      });
    return M.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    M._free(ptr);
  }
}

// Attributes that are HDF5 plumbing (object references of dimension scales).
const INTERNAL_ATTRIBUTES = new Set(['DIMENSION_LIST', 'REFERENCE_LIST']);

function readAttributes(
  obj: {
    attrs: Record<string, { metadata: MetaLike; to_array(): unknown }>;
    file_id: bigint;
    path: string;
  },
  M: H5Module,
  fileName: string,
): Record<string, Hdf5Value> {
  const out: Record<string, Hdf5Value> = {};
  let attrs: Record<string, { metadata: MetaLike; to_array(): unknown }>;
  try {
    attrs = obj.attrs;
  } catch {
    return out;
  }
  for (const name of Object.keys(attrs)) {
    if (INTERNAL_ATTRIBUTES.has(name)) continue;
    try {
      const a = attrs[name];
      const m = a.metadata;
      if (m.type === H5T.FLOAT && m.size === 2) {
        if (!m.shape) {
          out[name] = null;
          continue;
        }
        const raw = readRaw(
          M,
          2 * m.total_size,
          (p) => M.get_attribute_data(obj.file_id, obj.path, name, BigInt(p)),
          `attribute "${name}" of ${obj.path}`,
          fileName,
        );
        const vals = Array.from(
          decodeNumeric(raw, { float: true, size: 2, signed: true }, m.total_size),
        );
        out[name] = m.shape.length === 0 ? vals[0] : nest(vals, m.shape);
      } else out[name] = plain(a.to_array());
    } catch {
      out[name] = null;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tree

interface Loaded {
  numeric?: NumericArray;
  json?: Hdf5Value;
  error?: string;
}

const FILTER_NAMES: Record<number, string> = {
  1: 'deflate',
  2: 'shuffle',
  3: 'fletcher32',
  4: 'szip',
  5: 'nbit',
  6: 'scaleoffset',
  32000: 'lzf',
  32001: 'blosc',
  32004: 'lz4',
  32008: 'bitshuffle',
  32015: 'zstd',
};

function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** `a/b/`, `/a//b` -> `/a/b`. */
function normalizePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return path.slice(i + 1);
}

function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

interface WalkContext {
  h5: H5wasmModule;
  M: H5Module;
  fileName: string;
  load: (d: Hdf5DatasetNode) => boolean;
  nodes: Map<string, Hdf5Node>;
  loaded: Map<string, Loaded>;
  order: string[];
  diagnostics: Diagnostics;
}

const MAX_DEPTH = 64;

function walkGroup(g: H5Group, path: string, ctx: WalkContext, depth: number): Hdf5GroupNode {
  const node: Hdf5GroupNode = {
    kind: 'group',
    name: baseName(path),
    path,
    attributes: readAttributes(g as never, ctx.M, ctx.fileName),
    children: [],
  };
  ctx.nodes.set(path, node);
  if (depth > MAX_DEPTH) return node;
  for (const name of g.keys()) {
    const p = joinPath(path, name);
    const soft = g.get_link(p);
    if (typeof soft === 'string') {
      const link: Hdf5LinkNode = { kind: 'link', name, path: p, attributes: {}, target: soft };
      ctx.nodes.set(p, link);
      node.children.push(link);
      continue;
    }
    const e = g.get(p);
    let child: Hdf5Node | undefined;
    if (e instanceof ctx.h5.Group) child = walkGroup(e, p, ctx, depth + 1);
    else if (e instanceof ctx.h5.Dataset) child = readDataset(e, p, ctx);
    else if (e instanceof ctx.h5.ExternalLink) {
      child = { kind: 'link', name, path: p, attributes: {}, target: e.obj_path, file: e.filename };
      ctx.nodes.set(p, child);
    } else if (e instanceof ctx.h5.BrokenSoftLink) {
      child = { kind: 'link', name, path: p, attributes: {}, target: e.target };
      ctx.nodes.set(p, child);
    } else if (e instanceof ctx.h5.Datatype) {
      child = {
        kind: 'datatype',
        name,
        path: p,
        attributes: readAttributes(e as never, ctx.M, ctx.fileName),
      };
      ctx.nodes.set(p, child);
    }
    if (child) node.children.push(child);
  }
  return node;
}

function readDataset(d: H5Dataset, path: string, ctx: WalkContext): Hdf5DatasetNode {
  const m = d.metadata as unknown as MetaLike;
  const attributes = readAttributes(d as never, ctx.M, ctx.fileName);
  let filters: string[] = [];
  try {
    filters = d.filters.map((f) => FILTER_NAMES[f.id] ?? f.name ?? `filter ${f.id}`);
  } catch {
    filters = [];
  }
  const shape = m.shape ? m.shape.map(Number) : null;
  const node: Hdf5DatasetNode = {
    kind: 'dataset',
    name: baseName(path),
    path,
    attributes,
    shape,
    elements: shape ? shape.reduce((a, b) => a * b, 1) : 0,
    dtype: dtypeName(m),
    numeric: numericLayout(m) !== null,
    chunks: m.chunks ? m.chunks.map(Number) : null,
    filters,
  };
  // Dimension scales (only when the plumbing attributes exist: the calls are not free of errors otherwise).
  const attrNames = ctx.M.get_attribute_names(d.file_id, path) as string[];
  if (shape && shape.length > 0 && attrNames.includes('DIMENSION_LIST')) {
    node.dimensionScales = shape.map((_, i) => {
      try {
        const s = d.get_attached_scales(i);
        return s.length > 0 ? normalizePath(s[0]) : null;
      } catch {
        return null;
      }
    });
  }
  if (shape && shape.length > 0 && attrNames.includes('DIMENSION_LABELS')) {
    try {
      node.dimensionLabels = d.get_dimension_labels().map((l) => (l ? l : null));
    } catch {
      /* no labels */
    }
  }
  ctx.nodes.set(path, node);
  ctx.order.push(path);
  if (ctx.load(node)) ctx.loaded.set(path, loadValues(d, node, m, ctx));
  return node;
}

function loadValues(d: H5Dataset, node: Hdf5DatasetNode, m: MetaLike, ctx: WalkContext): Loaded {
  if (!node.shape) return { json: null };
  const layout = numericLayout(m);
  const what = `dataset "${node.path}"`;
  const mark = ctx.diagnostics.lines.length;
  try {
    if (layout) {
      const raw = readRaw(
        ctx.M,
        layout.size * node.elements,
        (p) => ctx.M.get_dataset_data(d.file_id, node.path, null, null, null, BigInt(p)),
        what,
        ctx.fileName,
      );
      return { numeric: decodeNumeric(raw, layout, node.elements) };
    }
    let flat = plain(d.json_value);
    // Compound rows as objects keyed by member name.
    const members = (m as { compound_type?: { members: Array<{ name: string }> } }).compound_type
      ?.members;
    if (m.type === H5T.COMPOUND && members && Array.isArray(flat)) {
      flat = flat.map((row) =>
        Array.isArray(row)
          ? Object.fromEntries(members.map((mem, i) => [mem.name, row[i] ?? null]))
          : row,
      );
    }
    return { json: node.shape.length > 1 && Array.isArray(flat) ? nest(flat, node.shape) : flat };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const extra = node.filters.length
      ? ` (filters: ${node.filters.join(', ')}; a filter this HDF5 build lacks cannot be decoded)`
      : '';
    return {
      error: `${what} could not be read${extra}: ${why}${hdf5Reason(ctx.diagnostics.lines, mark)}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Calibration conventions

function str(v: Hdf5Value | undefined): string | undefined {
  if (typeof v === 'string') return v === '_None_' ? undefined : v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return str(v[0]);
  return undefined;
}

function numv(v: Hdf5Value | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (Array.isArray(v) && v.length === 1) return numv(v[0]);
  return undefined;
}

function boolv(v: Hdf5Value | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (Array.isArray(v) && v.length === 1) return boolv(v[0]);
  return undefined;
}

/** `$nm$` -> `nm`, `\mu m` -> `µm`, `_None_`/undefined -> ``. */
function cleanUnit(u: string | undefined): string {
  if (!u) return '';
  return u
    .replace(/\$/g, '')
    .replace(/\\mu\s*/g, 'µ')
    .replace(/[{}]/g, '')
    .trim();
}

/** Berkeley EMD units: `[n_m]` -> `nm`, `[1/n_m]` -> `1/nm`, `[n_m]*[s]` -> `nm * s`, `[]` -> ``. */
function emdUnit(u: string | undefined): string {
  if (!u) return '';
  const parts = u.match(/\[[^\]]*\]/g);
  if (!parts) return cleanUnit(u);
  return parts
    .map((p) => p.slice(1, -1).replace(/_/g, ''))
    .filter((p) => p !== '')
    .join(' * ');
}

function uniqueNames(axes: Axis[]): Axis[] {
  const seen = new Map<string, number>();
  return axes.map((a, i) => {
    const key = a.name;
    if (!seen.has(key)) {
      seen.set(key, 1);
      return a;
    }
    return { ...a, name: `${a.name}_${i}` };
  });
}

function groupChildren(g: Hdf5Node | undefined): Hdf5Node[] {
  return g && g.kind === 'group' ? g.children : [];
}

function childNamed(g: Hdf5Node | undefined, name: string): Hdf5Node | undefined {
  return groupChildren(g).find((c) => c.name === name);
}

/** A group as a plain object: attributes, sub-groups, small datasets (large ones as a summary). */
function groupToObject(g: Hdf5GroupNode, loaded: Map<string, Loaded>): Record<string, Hdf5Value> {
  const out: Record<string, Hdf5Value> = { ...g.attributes };
  for (const c of g.children) {
    if (c.kind === 'group') out[c.name] = groupToObject(c, loaded);
    else if (c.kind === 'dataset') {
      const l = loaded.get(c.path);
      if (l?.numeric && c.elements <= 4096 && c.shape) {
        const flat = Array.from(l.numeric as ArrayLike<number>);
        out[c.name] = c.shape.length === 0 ? flat[0] : nest(flat, c.shape);
      } else if (l && 'json' in l && c.elements <= 4096) out[c.name] = l.json ?? null;
      else out[c.name] = { dataset: c.path, shape: c.shape, dtype: c.dtype };
    }
  }
  return out;
}

interface Calibration {
  axes: Axis[];
  name: string;
  unit: string;
  metadata: Record<string, unknown>;
}

function hyperspyCalibration(node: Hdf5DatasetNode, file: FileState): Calibration | null {
  const group = file.nodes.get(parentPath(node.path));
  if (node.name !== 'data' || !group || group.kind !== 'group') return null;
  const shape = node.shape ?? [];
  const hasAxes =
    shape.length > 0 &&
    groupChildren(group).some((c) => c.kind === 'group' && /^axis-\d+$/.test(c.name));
  if (!hasAxes && !(file.convention === 'hyperspy' && parentPath(group.path) === '/Experiments'))
    return null;
  const warnings: string[] = [];
  const navigate: Array<boolean | null> = [];
  const axes = shape.map((size, i): Axis => {
    const ax = childNamed(group, `axis-${i}`);
    if (!ax || ax.kind !== 'group') {
      navigate.push(null);
      return uniformAxis(`dim${i}`, '', size);
    }
    const a = ax.attributes;
    const name = str(a.name) || `dim${i}`;
    const unit = cleanUnit(str(a.units));
    navigate.push(boolv(a.navigate) ?? null);
    const declared = numv(a.size);
    if (declared !== undefined && declared !== size)
      warnings.push(`axis-${i} says size ${declared} but the data has ${size}`);
    // Non-uniform axis: coordinates in an `axis` attribute or dataset.
    const coordAttr = a.axis;
    const coordDs = childNamed(ax, 'axis');
    const coords = Array.isArray(coordAttr)
      ? (coordAttr.flat(4) as Hdf5Value[]).map(Number)
      : coordDs && coordDs.kind === 'dataset'
        ? Array.from((file.loaded.get(coordDs.path)?.numeric ?? []) as ArrayLike<number>)
        : null;
    if (coords && coords.length === size && coords.every(Number.isFinite))
      return coordinateAxis(name, unit, coords);
    const type = str(a._type);
    if (type === 'FunctionalDataAxis')
      warnings.push(
        `axis-${i} is a FunctionalDataAxis (${str(a.expression) ?? 'expression'}); read as index`,
      );
    const scale = numv(a.scale) ?? 1;
    const offset = numv(a.offset) ?? 0;
    return uniformAxis(name, unit, size, scale, offset);
  });
  const md = childNamed(group, 'metadata');
  const om = childNamed(group, 'original_metadata');
  const mdObj = md && md.kind === 'group' ? groupToObject(md, file.loaded) : {};
  const general = (mdObj.General ?? {}) as Record<string, Hdf5Value>;
  const signal = (mdObj.Signal ?? {}) as Record<string, Hdf5Value>;
  const title = str(general.title) || (group.name === '__unnamed__' ? '' : group.name);
  const quantity = str(signal.quantity);
  const q = quantity ? /^(.*?)\s*\(([^)]*)\)\s*$/.exec(quantity) : null;
  const hs: Record<string, unknown> = {
    signalName: group.name,
    title,
    signalType: str(signal.signal_type) ?? '',
    navigate,
    fileFormatVersion: str(file.root.attributes.file_format_version) ?? null,
    package: str(group.attributes.package) ?? null,
    metadata: mdObj,
    originalMetadata: om && om.kind === 'group' ? groupToObject(om, file.loaded) : {},
  };
  if (warnings.length) hs.warnings = warnings;
  return {
    axes,
    name: q ? q[1] : (quantity ?? title),
    unit: q ? q[2] : '',
    metadata: { calibration: 'hyperspy', hyperspy: hs },
  };
}

function emdCalibration(node: Hdf5DatasetNode, file: FileState): Calibration | null {
  const group = file.nodes.get(parentPath(node.path));
  if (
    !group ||
    group.kind !== 'group' ||
    !('emd_group_type' in group.attributes) ||
    !node.name.startsWith('data')
  )
    return null;
  const shape = node.shape ?? [];
  const warnings: string[] = [];
  const axes = shape.map((size, i): Axis => {
    const dim = childNamed(group, `dim${i + 1}`);
    if (!dim || dim.kind !== 'dataset') return uniformAxis(`dim${i}`, '', size);
    const name = str(dim.attributes.name) || `dim${i}`;
    const unit = emdUnit(str(dim.attributes.units));
    const v = file.loaded.get(dim.path)?.numeric;
    if (!v || v.length < 2) return uniformAxis(name, unit, size);
    if (v.length === size) return coordinateAxis(name, unit, Array.from(v as ArrayLike<number>));
    // A short vector: the start and mean step of a linear axis.
    const step = (v[v.length - 1] - v[0]) / (v.length - 1);
    if (v.length !== 2)
      warnings.push(`dim${i + 1} has ${v.length} values for ${size} points; read as a linear axis`);
    return uniformAxis(name, unit, size, step, v[0]);
  });
  const root = file.root;
  const emd: Record<string, unknown> = {
    version: [
      str(root.attributes.version_major) ?? numv(root.attributes.version_major),
      str(root.attributes.version_minor) ?? numv(root.attributes.version_minor),
    ]
      .filter((x) => x !== undefined)
      .join('.'),
    group: group.path,
    groupAttributes: group.attributes,
  };
  for (const g of ['microscope', 'sample', 'user', 'comments']) {
    const n = childNamed(root, g);
    if (n && n.kind === 'group') emd[g] = n.attributes;
  }
  if (warnings.length) emd.warnings = warnings;
  const title = group.name === '__unnamed__' ? '' : group.name;
  return {
    axes,
    name: str(node.attributes.name) ?? title,
    unit: emdUnit(str(node.attributes.units)),
    metadata: { calibration: 'emd', emd },
  };
}

function scaleCalibration(node: Hdf5DatasetNode, file: FileState): Calibration | null {
  const shape = node.shape ?? [];
  if (!node.dimensionScales && !node.dimensionLabels) return null;
  let any = false;
  const axes = shape.map((size, i): Axis => {
    const label = node.dimensionLabels?.[i] ?? null;
    const sp = node.dimensionScales?.[i] ?? null;
    const sc = sp ? file.nodes.get(sp) : undefined;
    if (sc && sc.kind === 'dataset') {
      const scaleName = str(sc.attributes.NAME);
      const name =
        label ||
        (scaleName && !scaleName.startsWith('This is a netCDF dimension') ? scaleName : sc.name);
      const unit = cleanUnit(str(sc.attributes.units) ?? str(sc.attributes.unit));
      const v = file.loaded.get(sc.path)?.numeric;
      any = true;
      if (v && v.length === size)
        return coordinateAxis(name, unit, Array.from(v as ArrayLike<number>));
      return uniformAxis(name, unit, size);
    }
    if (label) any = true;
    return uniformAxis(label || `dim${i}`, '', size);
  });
  return any
    ? { axes, name: node.name, unit: '', metadata: { calibration: 'dimension-scales' } }
    : null;
}

// ---------------------------------------------------------------------------------------------
// The file object

interface FileState {
  fileName: string;
  convention: Hdf5File['convention'];
  root: Hdf5GroupNode;
  nodes: Map<string, Hdf5Node>;
  loaded: Map<string, Loaded>;
  order: string[];
}

function listDatasets(file: FileState, limit = 40): string {
  const items = file.order.map((p) => {
    const n = file.nodes.get(p) as Hdf5DatasetNode;
    return `${p} (${n.shape ? (n.shape.length ? n.shape.join(' x ') : 'scalar') : 'empty'} ${n.dtype})`;
  });
  if (items.length === 0) return 'the file holds no datasets';
  const more = items.length > limit ? `, ... (${items.length - limit} more)` : '';
  return `datasets in the file: ${items.slice(0, limit).join(', ')}${more}`;
}

/** Follow soft links (relative targets are relative to the link's group). */
function resolveNode(file: FileState, path: string): Hdf5Node | undefined {
  let n = file.nodes.get(normalizePath(path));
  for (let hop = 0; hop < 16 && n && n.kind === 'link' && n.file === undefined; hop++) {
    const p = n.target.startsWith('/')
      ? normalizePath(n.target)
      : normalizePath(`${parentPath(n.path)}/${n.target}`);
    const next = file.nodes.get(p);
    if (!next) return n; // dangling: report the link
    n = next;
  }
  return n;
}

function datasetNode(file: FileState, path: string): Hdf5DatasetNode {
  const n = resolveNode(file, path);
  if (!n)
    throw new DataFormatError(`no dataset "${normalizePath(path)}"; ${listDatasets(file)}`, {
      file: file.fileName,
    });
  if (n.kind === 'group') {
    const inside = n.children.filter((c) => c.kind === 'dataset').map((c) => c.name);
    throw new DataFormatError(
      `"${n.path}" is a group, not a dataset${inside.length ? `; it holds the datasets ${inside.join(', ')}` : ''}`,
      { file: file.fileName },
    );
  }
  if (n.kind === 'link')
    throw new DataFormatError(
      `"${n.path}" is a link to ${n.file ? `"${n.target}" in another file (${n.file}), which is not followed` : `"${n.target}", which does not exist`}`,
      { file: file.fileName },
    );
  if (n.kind !== 'dataset')
    throw new DataFormatError(`"${n.path}" is a named datatype, not a dataset`, {
      file: file.fileName,
    });
  return n;
}

function loadedOf(file: FileState, n: Hdf5DatasetNode): Loaded {
  const l = file.loaded.get(n.path);
  if (!l)
    throw new InvalidInputError(
      `${file.fileName}: dataset "${n.path}" was not read (the load option left it out)`,
    );
  if (l.error) throw new DataFormatError(l.error, { file: file.fileName });
  return l;
}

function calibratedDataset(file: FileState, path: string): CalibratedArray {
  const n = datasetNode(file, path);
  if (!n.numeric) {
    const what =
      n.dtype === 'string'
        ? 'text (strings)'
        : n.dtype === 'compound'
          ? 'compound records (table rows)'
          : `values of type ${n.dtype}`;
    throw new DataFormatError(
      `dataset "${n.path}" holds ${what}, not numbers; read it with value("${n.path}")`,
      { file: file.fileName },
    );
  }
  if (!n.shape)
    throw new DataFormatError(`dataset "${n.path}" is empty (null dataspace)`, {
      file: file.fileName,
    });
  const l = loadedOf(file, n);
  const data = l.numeric as NumericArray;
  const cal = hyperspyCalibration(n, file) ?? emdCalibration(n, file) ?? scaleCalibration(n, file);
  const axes = cal ? uniqueNames(cal.axes) : n.shape.map((s, i) => uniformAxis(`dim${i}`, '', s));
  const ownUnit = str(n.attributes.units) ?? str(n.attributes.unit);
  return calibrated(data, axes, {
    name: cal?.name || n.name,
    unit: cal?.unit || cleanUnit(ownUnit),
    metadata: {
      source: file.fileName,
      format: 'hdf5',
      path: n.path,
      dtype: n.dtype,
      calibration: 'none',
      attributes: n.attributes,
      ...(cal?.metadata ?? {}),
    },
  });
}

function jsonValue(file: FileState, path: string): Hdf5Value {
  const n = datasetNode(file, path);
  const l = loadedOf(file, n);
  if (l.numeric) {
    const flat = Array.from(l.numeric as ArrayLike<number>);
    if (!n.shape || n.shape.length === 0) return flat[0] ?? null;
    return nest(flat, n.shape);
  }
  return l.json ?? null;
}

function detectConvention(root: Hdf5GroupNode): Hdf5File['convention'] {
  const ff = str(root.attributes.file_format);
  if ((ff && /hyperspy/i.test(ff)) || childNamed(root, 'Experiments')?.kind === 'group')
    return 'hyperspy';
  if ('version_major' in root.attributes) return 'emd';
  return 'hdf5';
}

/**
 * Read an HDF5 file from its bytes: the whole tree of groups, datasets and attributes, and every
 * dataset's values (see `load` to skip some). The returned object is detached from the file:
 * h5wasm's copy is closed and deleted before the promise resolves.
 *
 * Errors (`DataFormatError`, naming the file): not an HDF5 file, truncated file, a dataset path
 * that does not exist (the message lists the datasets), a non-numeric dataset asked for as numbers.
 *
 * @example
 * const f = await readHdf5(bytes, { fileName: 'map.hspy' });
 * f.datasetPaths();                    // ['/Experiments/map/data', ...]
 * const cube = f.dataset('/Experiments/map/data');
 * cube.axes.map((a) => `${a.name} ${a.unit}`); // ['y nm', 'x nm', 'Wavelength nm']
 */
export async function readHdf5(
  bytes: Uint8Array,
  options: ReadHdf5Options = {},
): Promise<Hdf5File> {
  const fileName = options.fileName ?? 'HDF5 file';
  const state = await withHdf5File(bytes, fileName, (f, h5, M, diagnostics) => {
    const ctx: WalkContext = {
      h5,
      M,
      fileName,
      load: options.load ?? (() => true),
      nodes: new Map(),
      loaded: new Map(),
      order: [],
      diagnostics,
    };
    const root = walkGroup(f as unknown as H5Group, '/', ctx, 0);
    root.name = '';
    const s: FileState = {
      fileName,
      convention: detectConvention(root),
      root,
      nodes: ctx.nodes,
      loaded: ctx.loaded,
      order: ctx.order,
    };
    return s;
  });
  return {
    fileName,
    byteLength: bytes.length,
    superblockOffset: superblockOffset(bytes),
    convention: state.convention,
    root: state.root,
    get: (path) => state.nodes.get(normalizePath(path)),
    datasetPaths: () => [...state.order],
    dataset: (path) => calibratedDataset(state, path),
    value: (path) => jsonValue(state, path),
  };
}

/**
 * Paths of the signals a file holds, best first: HyperSpy `Experiments/<name>/data`, then
 * Berkeley EMD `data` datasets (groups with `emd_group_type`), then the other numeric datasets
 * from the largest down.
 *
 * @example
 * hdf5SignalPaths(await readHdf5(bytes))[0]; // '/Experiments/cathodoluminescence_example/data'
 */
export function hdf5SignalPaths(file: Hdf5File): string[] {
  const out: string[] = [];
  const datasets = file.datasetPaths().map((p) => file.get(p) as Hdf5DatasetNode);
  const exp = file.get('/Experiments');
  for (const g of groupChildren(exp)) {
    const d = childNamed(g, 'data');
    if (g.kind === 'group' && d && d.kind === 'dataset' && d.numeric) out.push(d.path);
  }
  for (const d of datasets) {
    const g = file.get(parentPath(d.path));
    if (
      d.numeric &&
      d.name.startsWith('data') &&
      g &&
      g.kind === 'group' &&
      'emd_group_type' in g.attributes &&
      !out.includes(d.path)
    )
      out.push(d.path);
  }
  const rest = datasets
    .filter((d) => d.numeric && d.shape && !out.includes(d.path))
    .sort((a, b) => b.elements - a.elements);
  return [...out, ...rest.map((d) => d.path)];
}

/**
 * Resolve a user's `path` option to a dataset path: a dataset, a group holding `data` (HyperSpy
 * `Experiments/<name>`, EMD `data/<name>`), or a bare HyperSpy signal name.
 *
 * @example
 * resolveSignalPath(file, 'cathodoluminescence_example'); // '/Experiments/cathodoluminescence_example/data'
 */
export function resolveSignalPath(file: Hdf5File, path: string): string {
  const candidates = [path, `/Experiments/${path}`];
  for (const c of candidates) {
    const n = file.get(c);
    if (!n) continue;
    if (n.kind === 'group') {
      const d = childNamed(n, 'data');
      if (d && d.kind === 'dataset') return d.path;
    }
    return n.path;
  }
  return normalizePath(path);
}

/**
 * Read the calibrated signal of an HDF5 file: a HyperSpy `.hspy` signal or a Berkeley EMD data
 * set with its axes (names, units, scale and offset), or any dataset given by `path` (axes from
 * dimension scales, else `dim0`, `dim1`, ...). `metadata` holds `source`, `path`, `dtype`,
 * `calibration` (`hyperspy`, `emd`, `dimension-scales` or `none`), the dataset's attributes and
 * the convention's metadata tree (`hyperspy.metadata`, `hyperspy.navigate`, `emd.microscope`...).
 * If the file holds several signals, the others are listed in `metadata.otherSignals`.
 *
 * @example
 * const cl = await readCalibratedHdf5(bytes, { fileName: 'CL.hspy' });
 * cl.axes.map((a) => [a.name, a.size, a.scale]); // [['y', 15, 61.27], ['x', 20, 61.27], ['Wavelength', 507, 1.066]]
 */
export async function readCalibratedHdf5(
  bytes: Uint8Array,
  options: ReadCalibratedHdf5Options = {},
): Promise<CalibratedArray> {
  const file = await readHdf5(bytes, { fileName: options.fileName });
  const signals = hdf5SignalPaths(file);
  let path: string;
  if (options.path !== undefined) path = resolveSignalPath(file, options.path);
  else {
    if (signals.length === 0)
      throw new DataFormatError(
        `no numeric dataset to read; ${file.datasetPaths().length ? `datasets: ${file.datasetPaths().join(', ')}` : 'the file holds no datasets'}`,
        { file: file.fileName },
      );
    path = signals[0];
  }
  const a = file.dataset(path);
  const others = signals.filter(
    (p) => p !== a.metadata.path && (file.get(p) as Hdf5DatasetNode).name.startsWith('data'),
  );
  if (others.length) a.metadata.otherSignals = others;
  return a;
}
