import { InvalidInputError } from '../core/errors.js';
import { type Axis, axisIndex, axisValues, coordinateAxis, uniformAxis } from './axis.js';

export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Uint16Array
  | Int16Array
  | Uint8Array
  | Int8Array;

/**
 * N-dimensional numeric data with calibrated, named axes and free-form metadata - the one
 * container readers return and analyses take. Row-major: the last axis varies fastest.
 *
 * @example
 * const decay = calibrated(counts, [uniformAxis('time', 'ns', counts.length, 0.004)], { unit: 'counts' });
 */
export interface CalibratedArray<T extends NumericArray = NumericArray> {
  data: T;
  axes: Axis[];
  /** Unit of the values, e.g. `counts`, `counts/s`, `mOD`, `a.u.`. */
  unit: string;
  /** What the values are, e.g. `PL intensity`. */
  name: string;
  /** Instrument and file metadata, as a tree of plain values. */
  metadata: Record<string, unknown>;
}

export function shapeOf(a: CalibratedArray): number[] {
  return a.axes.map((ax) => ax.size);
}

/** Build a calibrated array; checks that data length equals the product of axis sizes. */
export function calibrated<T extends NumericArray>(
  data: T,
  axes: Axis[],
  options: { unit?: string; name?: string; metadata?: Record<string, unknown> } = {},
): CalibratedArray<T> {
  const n = axes.reduce((p, a) => p * a.size, 1);
  if (n !== data.length) {
    throw new InvalidInputError(
      `data has ${data.length} values but axes ${axes.map((a) => `${a.name}[${a.size}]`).join(' x ')} need ${n}`,
    );
  }
  const names = new Set<string>();
  for (const a of axes) {
    if (names.has(a.name)) throw new InvalidInputError(`axis name "${a.name}" is used twice`);
    names.add(a.name);
  }
  return {
    data,
    axes,
    unit: options.unit ?? '',
    name: options.name ?? '',
    metadata: options.metadata ?? {},
  };
}

/** Position of the axis called `name`; throws a clear error listing the axes if absent. */
export function axisPosition(a: CalibratedArray, name: string): number {
  const i = a.axes.findIndex((ax) => ax.name === name);
  if (i < 0) {
    throw new InvalidInputError(
      `no axis "${name}"; axes are ${a.axes.map((ax) => ax.name).join(', ')}`,
    );
  }
  return i;
}

export function getAxis(a: CalibratedArray, name: string): Axis {
  return a.axes[axisPosition(a, name)];
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The value at integer indices, one per axis. */
export function valueAt(a: CalibratedArray, indices: number[]): number {
  const st = strides(shapeOf(a));
  let k = 0;
  for (let i = 0; i < indices.length; i++) k += indices[i] * st[i];
  return a.data[k];
}

/**
 * Take index `index` along axis `axisName`, dropping that axis. The removed axis's coordinate is
 * recorded in metadata under `selected` so that provenance is not lost.
 */
export function selectIndex(
  a: CalibratedArray,
  axisName: string,
  index: number,
): CalibratedArray<Float64Array> {
  const p = axisPosition(a, axisName);
  const shape = shapeOf(a);
  if (!Number.isInteger(index) || index < 0 || index >= shape[p]) {
    throw new InvalidInputError(`index ${index} is outside axis "${axisName}" (size ${shape[p]})`);
  }
  const st = strides(shape);
  const outer = shape.slice(0, p).reduce((x, y) => x * y, 1);
  const inner = st[p];
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * shape[p] * inner + index * inner;
    for (let i = 0; i < inner; i++) out[o * inner + i] = a.data[base + i];
  }
  const ax = a.axes[p];
  const selected = { ...((a.metadata.selected as Record<string, unknown>) ?? {}) };
  selected[axisName] = {
    index,
    value: ax.coordinates ? ax.coordinates[index] : ax.offset + ax.scale * index,
    unit: ax.unit,
  };
  return calibrated(
    out,
    a.axes.filter((_, i) => i !== p),
    {
      unit: a.unit,
      name: a.name,
      metadata: { ...a.metadata, selected },
    },
  );
}

/** Take the value nearest to coordinate `value` along an axis. */
export function selectValue(
  a: CalibratedArray,
  axisName: string,
  value: number,
): CalibratedArray<Float64Array> {
  return selectIndex(a, axisName, axisIndex(getAxis(a, axisName), value));
}

/** Sum over one axis, dropping it. */
export function sumAxis(a: CalibratedArray, axisName: string): CalibratedArray<Float64Array> {
  const p = axisPosition(a, axisName);
  const shape = shapeOf(a);
  const st = strides(shape);
  const outer = shape.slice(0, p).reduce((x, y) => x * y, 1);
  const inner = st[p];
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < shape[p]; j++) {
      const base = o * shape[p] * inner + j * inner;
      for (let i = 0; i < inner; i++) out[o * inner + i] += a.data[base + i];
    }
  }
  return calibrated(
    out,
    a.axes.filter((_, i) => i !== p),
    { unit: a.unit, name: a.name, metadata: a.metadata },
  );
}

/** A 1-D calibrated array from x and y columns (e.g. a spectrum or a decay). */
export function fromXY(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: {
    xName?: string;
    xUnit?: string;
    unit?: string;
    name?: string;
    metadata?: Record<string, unknown>;
  } = {},
): CalibratedArray<Float64Array> {
  if (x.length !== y.length) {
    throw new InvalidInputError(`x has ${x.length} values but y has ${y.length}`);
  }
  const axis = coordinateAxis(options.xName ?? 'x', options.xUnit ?? '', x);
  return calibrated(Float64Array.from(y), [axis], options);
}

/** x coordinates and values of a 1-D array. */
export function toXY(a: CalibratedArray): { x: Float64Array; y: Float64Array } {
  if (a.axes.length !== 1)
    throw new InvalidInputError(`expected 1-D data, got ${a.axes.length} axes`);
  return { x: axisValues(a.axes[0]), y: Float64Array.from(a.data) };
}

/** Plain-JSON form (typed arrays become number arrays); `fromJSON` reverses it. */
export interface CalibratedJSON {
  data: number[];
  dtype: string;
  axes: Array<Omit<Axis, 'coordinates'> & { coordinates?: number[] }>;
  unit: string;
  name: string;
  metadata: Record<string, unknown>;
}

export function toJSON(a: CalibratedArray): CalibratedJSON {
  return {
    data: Array.from(a.data),
    dtype: a.data.constructor.name,
    axes: a.axes.map((ax) => ({
      ...ax,
      coordinates: ax.coordinates ? Array.from(ax.coordinates) : undefined,
    })),
    unit: a.unit,
    name: a.name,
    metadata: a.metadata,
  };
}

const DTYPES: Record<string, new (x: number[]) => NumericArray> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Uint16Array,
  Int16Array,
  Uint8Array,
  Int8Array,
};

export function fromJSON(j: CalibratedJSON): CalibratedArray {
  const Ctor = DTYPES[j.dtype] ?? Float64Array;
  const axes = j.axes.map((ax) =>
    ax.coordinates
      ? { ...ax, coordinates: Float64Array.from(ax.coordinates) }
      : uniformAxis(ax.name, ax.unit, ax.size, ax.scale, ax.offset),
  );
  return calibrated(new Ctor(j.data), axes, { unit: j.unit, name: j.name, metadata: j.metadata });
}
