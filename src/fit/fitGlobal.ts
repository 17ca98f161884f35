/**
 * `fitGlobal()`: several datasets, each with its own model, sharing parameters.
 *
 * @module
 */
import { FitSetupError, InvalidInputError } from '../core/errors.js';
import { prepareParams } from './params.js';
import { prepareDataset, runFit, type PreparedDataset } from './engine.js';
import type { FitDataset, GlobalFitOptions, GlobalFitResult, ParamsInput } from './types.js';

/**
 * Global fit of several datasets with shared parameters. Each dataset's model parameters are
 * renamed to global names by its `paramMap` (default: identity, so parameters of the same name
 * are shared); give distinct global names for per-dataset parameters. `params` holds the
 * starting values (and bounds, fixed, expr) of the global names. Least squares (each dataset may
 * carry its own `sigma` or `weights`) or Poisson; the covariance is absolute only if every
 * dataset has `sigma`. Returns the whole fit (statistics defined as for `fit()`, with n the
 * total number of points; `best` and `residuals` concatenate the datasets in order) plus each
 * dataset's part in `datasets`.
 *
 * @example
 * const decay = { params: ['A', 'tau'], evaluate: (p, x, out) => { for (let i = 0; i < x.length; i++) out[i] = p[0] * Math.exp(-x[i] / p[1]); } };
 * const r = fitGlobal(
 *   [
 *     { model: decay, x: t, y: y1, paramMap: { A: 'A1' } },
 *     { model: decay, x: t, y: y2, paramMap: { A: 'A2' } },
 *   ],
 *   { A1: 100, A2: 50, tau: { value: 2, min: 0 } },
 * );
 * r.params.tau; // the shared lifetime
 */
export function fitGlobal(
  datasets: readonly FitDataset[],
  params: ParamsInput,
  options: GlobalFitOptions = {},
): GlobalFitResult {
  if (!Array.isArray(datasets) || datasets.length === 0) {
    throw new InvalidInputError('fitGlobal needs a non-empty array of datasets { model, x, y }');
  }
  const opts = options as GlobalFitOptions & { sigma?: unknown; weights?: unknown };
  if (opts.sigma !== undefined || opts.weights !== undefined) {
    throw new InvalidInputError('fitGlobal takes sigma/weights per dataset, not in the options');
  }
  const method = options.method ?? 'least-squares';
  const prepared: Omit<PreparedDataset, 'map'>[] = [];
  const globalNames: string[][] = [];
  const required: string[] = [];
  datasets.forEach((ds, i) => {
    const name = ds?.name ?? `dataset ${i + 1}`;
    const label = `${name}: `;
    if (!ds || typeof ds !== 'object')
      throw new InvalidInputError(`dataset ${i + 1} must be an object { model, x, y }`);
    const d = prepareDataset(ds.model, ds.x, ds.y, ds.sigma, ds.weights, method, name, label);
    const map = ds.paramMap ?? {};
    for (const key of Object.keys(map)) {
      if (!d.modelParams.includes(key)) {
        throw new FitSetupError(
          `${label}paramMap renames "${key}", which is not a parameter of its model (${d.modelParams.join(', ')})`,
        );
      }
      if (typeof map[key] !== 'string' || map[key] === '') {
        throw new FitSetupError(`${label}paramMap["${key}"] must be a global parameter name`);
      }
    }
    const names = d.modelParams.map((p) => map[p] ?? p);
    for (const g of names) if (!required.includes(g)) required.push(g);
    prepared.push(d);
    globalNames.push(names);
  });
  const pp = prepareParams(params, required, (unknown) => {
    return `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; the datasets use ${required.join(', ')}`;
  });
  const full: PreparedDataset[] = prepared.map((d, i) => ({
    ...d,
    map: Int32Array.from(globalNames[i]!, (g) => pp.names.indexOf(g)),
  }));
  return runFit(full, pp, options);
}
