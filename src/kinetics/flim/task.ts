/**
 * The FLIM worker task: fits a block of image rows (exported for `parallelMap`).
 *
 * @module
 */
import {
  allocateMaps,
  binRows,
  createPixelFitter,
  type PixelMaps,
  type PixelSetup,
} from './pixel.js';

/** One block of rows: its data (with `haloTop`/`haloBottom` extra rows for binning), pixel-major. */
export interface FlimBlock {
  setup: PixelSetup;
  /** Rows of nx pixels of nt bins, any numeric type. */
  data: ArrayLike<number>;
  /** Rows in `data`. */
  nRows: number;
  /** Rows of `data` above and below the block (context for binning). */
  haloTop: number;
  haloBottom: number;
  nx: number;
  /** Binning radius (0: none). */
  binning: number;
}

let cached: { key: string; fitter: ReturnType<typeof createPixelFitter> } | null = null;

/**
 * Fits every pixel of a block of rows; returns the maps of the block (rows without halo).
 *
 * @example
 * const maps = fitFlimBlock({ setup, data, nRows: 4, haloTop: 0, haloBottom: 0, nx: 256, binning: 0 });
 */
export function fitFlimBlock(block: FlimBlock): PixelMaps {
  const { setup, nx, nRows, haloTop, haloBottom, binning } = block;
  const nt = setup.nt;
  const outRows = nRows - haloTop - haloBottom;
  const key = JSON.stringify({
    ...setup,
    irf: setup.irf.kind === 'measured' ? Array.from(setup.irf.irf) : setup.irf,
  });
  if (!cached || cached.key !== key) cached = { key, fitter: createPixelFitter(setup) };
  const fitPixel = cached.fitter;
  const maps = allocateMaps(outRows * nx, setup.nComponents);
  const data =
    binning > 0
      ? binRows(block.data, nRows, nx, nt, binning, haloTop, haloTop + outRows)
      : (block.data as ArrayLike<number>);
  const offset = binning > 0 ? 0 : haloTop * nx * nt;
  const decay = new Float64Array(nt);
  for (let p = 0; p < outRows * nx; p++) {
    const base = offset + p * nt;
    for (let t = 0; t < nt; t++) decay[t] = data[base + t]!;
    fitPixel(decay, maps, p);
  }
  return maps;
}
