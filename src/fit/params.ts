/**
 * Parameter set-up for the fitting engine: validation of `ParamsInput`, the split into free,
 * fixed and tied parameters, the smooth bound transforms of the free ones and the evaluation of
 * tied parameters (`expr`) with their exact gradients.
 *
 * Bounds are handled by a smooth change of variables (as MINUIT and lmfit do): the engine works on
 * an unconstrained internal coordinate u and the parameter is
 * - both bounds: x = min + (max - min) (sin u + 1) / 2
 * - lower only:  x = min - s + sqrt(u^2 + s^2)
 * - upper only:  x = max + s - sqrt(u^2 + s^2)
 * with s a scale taken from the starting distance to the bound (so the transform does not depend
 * on the parameter's units). Covariances are always computed for the real parameters x.
 *
 * @module
 */
import { FitSetupError } from '../core/errors.js';
import { compileExpression, compileExpressionGradient, expressionDependencies } from './formula.js';
import type { ParamSpec, ParamsInput } from './types.js';

export const T_NONE = 0;
export const T_BOTH = 1;
export const T_LOWER = 2;
export const T_UPPER = 3;

/** Offset of the internal start from a bound, so that a start on a bound can still move. */
const BOUND_NUDGE = 1e-3;

export interface TiedParam {
  /** Global index of the tied parameter. */
  index: number;
  expr: string;
  evaluate: (values: ArrayLike<number>) => number;
  gradient: (values: ArrayLike<number>, out?: Float64Array) => Float64Array;
  /** Global indices this expression uses directly. */
  uses: number[];
}

/** The prepared parameter set (global: one entry per name). */
export interface PreparedParams {
  names: string[];
  initial: Float64Array;
  min: Float64Array;
  max: Float64Array;
  fixed: boolean[];
  expr: (string | null)[];
  /** Index among the free parameters, or -1. */
  freeIndex: Int32Array;
  /** Global index of each free parameter. */
  free: Int32Array;
  /** Transform kind of each free parameter. */
  kind: Int8Array;
  lo: Float64Array;
  hi: Float64Array;
  scale: Float64Array;
  /** Tied parameters in evaluation (dependency) order. */
  tied: TiedParam[];
  /** Position in `tied` of each global parameter, or -1. */
  tiedIndex: Int32Array;
}

function isSpec(v: unknown): v is ParamSpec {
  return typeof v === 'object' && v !== null;
}

/** Whether `a` lists exactly the names of `b` (both without duplicates, same length). */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length > 16) {
    const set = new Set(b);
    return a.every((n) => set.has(n));
  }
  for (const n of a) if (!b.includes(n)) return false;
  return true;
}

/**
 * Validates `params` against the names a model (or several) use and prepares the transforms.
 * `order` lists the names in report order; names of `params` not in `order` are allowed only when
 * an `expr` refers to them (auxiliary parameters), else `unknownMessage` builds the error.
 *
 * @example
 * const pp = prepareParams({ A: 1, tau: { value: 2, min: 0 } }, ['A', 'tau'], (u) => `unknown ${u}`);
 * pp.free; // Int32Array [0, 1]
 */
export function prepareParams(
  params: ParamsInput,
  required: readonly string[],
  unknownMessage: (unknown: string[]) => string,
): PreparedParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new FitSetupError(
      'params must be an object of parameter names to values or { value, min, max, fixed, expr }',
    );
  }
  const given = Object.keys(params);
  let missing: string[] | null = null;
  for (const n of required) {
    if (!Object.prototype.hasOwnProperty.call(params, n)) (missing ??= []).push(n);
  }
  if (missing !== null) {
    throw new FitSetupError(
      `missing starting value${missing.length > 1 ? 's' : ''} for parameter${missing.length > 1 ? 's' : ''} ${missing
        .map((n) => `"${n}"`)
        .join(', ')}; the model's parameters are ${required.join(', ')}`,
    );
  }
  // extra names are allowed if some expression uses them
  let extra: string[] = [];
  if (given.length !== required.length || !sameNames(given, required)) {
    const requiredSet = new Set(required);
    extra = given.filter((n) => !requiredSet.has(n));
  }
  const names = extra.length > 0 ? [...required, ...extra] : required.slice();
  const exprs: (string | null)[] = new Array<string | null>(names.length);
  let anyExpr = false;
  for (let g = 0; g < names.length; g++) {
    const v = params[names[g]!];
    const e = isSpec(v) && v.expr !== undefined && v.expr !== null ? v.expr : null;
    exprs[g] = e;
    if (e !== null) anyExpr = true;
  }
  const deps: (string[] | null)[] = !anyExpr
    ? new Array<null>(names.length).fill(null)
    : exprs.map((e, g) => {
        if (e === null) return null;
        if (typeof e !== 'string')
          throw new FitSetupError(`parameter "${names[g]}": expr must be a string`);
        try {
          return expressionDependencies(e, names);
        } catch (err) {
          throw new FitSetupError(
            `parameter "${names[g]}": cannot use expr "${e}": ${(err as Error).message}`,
          );
        }
      });
  if (extra.length > 0) {
    const referenced = new Set<string>();
    for (const d of deps) if (d) for (const name of d) referenced.add(name);
    const unknown = extra.filter((n) => !referenced.has(n));
    if (unknown.length > 0) throw new FitSetupError(unknownMessage(unknown));
  }

  const P = names.length;
  const initial = new Float64Array(P);
  const min = new Float64Array(P);
  const max = new Float64Array(P);
  const fixed: boolean[] = [];
  for (let g = 0; g < P; g++) {
    const name = names[g]!;
    const raw = params[name];
    const spec: ParamSpec =
      typeof raw === 'number' ? { value: raw } : isSpec(raw) ? raw : ({ value: raw } as ParamSpec);
    if (!isSpec(raw) && typeof raw !== 'number') {
      throw new FitSetupError(
        `parameter "${name}": expected a number or { value, min, max, fixed, expr }, got ${JSON.stringify(raw)}`,
      );
    }
    const lo = spec.min ?? -Infinity;
    const hi = spec.max ?? Infinity;
    if (typeof lo !== 'number' || Number.isNaN(lo) || lo === Infinity) {
      throw new FitSetupError(
        `parameter "${name}": min must be a number below +Infinity, got ${String(spec.min)}`,
      );
    }
    if (typeof hi !== 'number' || Number.isNaN(hi) || hi === -Infinity) {
      throw new FitSetupError(
        `parameter "${name}": max must be a number above -Infinity, got ${String(spec.max)}`,
      );
    }
    if (!(lo < hi))
      throw new FitSetupError(`parameter "${name}": min (${lo}) must be below max (${hi})`);
    const isTied = exprs[g] !== null;
    if (isTied && typeof exprs[g] !== 'string')
      throw new FitSetupError(`parameter "${name}": expr must be a string`);
    if (isTied && spec.fixed) {
      throw new FitSetupError(
        `parameter "${name}" is both fixed and tied (expr "${exprs[g]}"); choose one`,
      );
    }
    const value = spec.value;
    if (!isTied) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new FitSetupError(
          `parameter "${name}": starting value must be a finite number, got ${String(value)}`,
        );
      }
      if (value < lo || value > hi) {
        throw new FitSetupError(
          `parameter "${name}": starting value ${value} is outside its bounds [${lo}, ${hi}]`,
        );
      }
    }
    initial[g] = isTied ? NaN : value;
    min[g] = lo;
    max[g] = hi;
    fixed.push(!isTied && spec.fixed === true);
  }

  // free parameters and their transforms
  const freeIndex = new Int32Array(P).fill(-1);
  const freeList: number[] = [];
  for (let g = 0; g < P; g++) {
    if (!fixed[g] && exprs[g] === null) {
      freeIndex[g] = freeList.length;
      freeList.push(g);
    }
  }
  const nFree = freeList.length;
  const kind = new Int8Array(nFree);
  const lo = new Float64Array(nFree);
  const hi = new Float64Array(nFree);
  const scale = new Float64Array(nFree);
  for (let f = 0; f < nFree; f++) {
    const g = freeList[f]!;
    const a = min[g]!;
    const b = max[g]!;
    const x0 = initial[g]!;
    lo[f] = a;
    hi[f] = b;
    if (a === -Infinity && b === Infinity) kind[f] = T_NONE;
    else if (a > -Infinity && b < Infinity) kind[f] = T_BOTH;
    else if (a > -Infinity) {
      kind[f] = T_LOWER;
      const d = x0 - a;
      scale[f] = d > 0 ? d : Math.abs(a) > 0 ? Math.abs(a) : 1;
    } else {
      kind[f] = T_UPPER;
      const d = b - x0;
      scale[f] = d > 0 ? d : Math.abs(b) > 0 ? Math.abs(b) : 1;
    }
  }

  // tied parameters: compile, find dependencies, order them
  const tiedIndex = new Int32Array(P).fill(-1);
  const tiedRaw: TiedParam[] = [];
  for (let g = 0; g < P && anyExpr; g++) {
    const e = exprs[g];
    if (e === null || e === undefined) continue;
    let evaluate: TiedParam['evaluate'];
    let gradient: TiedParam['gradient'];
    try {
      evaluate = compileExpression(e, names);
      gradient = compileExpressionGradient(e, names);
    } catch (err) {
      throw new FitSetupError(
        `parameter "${names[g]}": cannot use expr "${e}": ${(err as Error).message}`,
      );
    }
    const uses = deps[g]!;
    if (uses.includes(names[g]!))
      throw new FitSetupError(`parameter "${names[g]}": expr "${e}" refers to itself`);
    tiedRaw.push({
      index: g,
      expr: e,
      evaluate,
      gradient,
      uses: uses.map((d) => names.indexOf(d)),
    });
  }
  const tied: TiedParam[] = [];
  if (tiedRaw.length > 0) {
    // topological order (depth-first), detecting cycles
    const state = new Int8Array(P); // 0 new, 1 visiting, 2 done
    const byIndex = new Map(tiedRaw.map((t) => [t.index, t]));
    const visit = (t: TiedParam, path: string[]): void => {
      if (state[t.index] === 2) return;
      if (state[t.index] === 1) {
        throw new FitSetupError(
          `tied parameters form a loop: ${[...path, names[t.index]].join(' -> ')}`,
        );
      }
      state[t.index] = 1;
      for (const u of t.uses) {
        const dep = byIndex.get(u);
        if (dep) visit(dep, [...path, names[t.index]!]);
      }
      state[t.index] = 2;
      tiedIndex[t.index] = tied.length;
      tied.push(t);
    };
    for (const t of tiedRaw) visit(t, []);
  }

  // initial values of tied parameters
  for (const t of tied) {
    const v = t.evaluate(initial);
    if (!Number.isFinite(v)) {
      throw new FitSetupError(
        `parameter "${names[t.index]}": expr "${t.expr}" is not finite (${v}) at the starting values`,
      );
    }
    initial[t.index] = v;
  }

  return {
    names,
    initial,
    min,
    max,
    fixed,
    expr: exprs,
    freeIndex,
    free: Int32Array.from(freeList),
    kind,
    lo,
    hi,
    scale,
    tied,
    tiedIndex,
  };
}

/** Internal coordinate of a free parameter's value (nudged off a bound so it can move). *
 * @example
 * toInternal(T_BOTH, 0.5, 0, 1, 0); // 0 (the middle of [0, 1])
 */
export function toInternal(kind: number, x: number, lo: number, hi: number, s: number): number {
  switch (kind) {
    case T_BOTH: {
      const t = Math.min(1, Math.max(-1, (2 * (x - lo)) / (hi - lo) - 1));
      const u = Math.asin(t);
      const lim = Math.PI / 2 - BOUND_NUDGE;
      return Math.min(lim, Math.max(-lim, u));
    }
    case T_LOWER: {
      const d = x - lo + s;
      return Math.max(BOUND_NUDGE * s, Math.sqrt(Math.max(0, d * d - s * s)));
    }
    case T_UPPER: {
      const d = hi - x + s;
      return Math.max(BOUND_NUDGE * s, Math.sqrt(Math.max(0, d * d - s * s)));
    }
    default:
      return x;
  }
}

/** Value of a free parameter from its internal coordinate (clamped into its bounds). *
 * @example
 * toExternal(T_BOTH, 0, 0, 1, 0); // 0.5
 */
export function toExternal(kind: number, u: number, lo: number, hi: number, s: number): number {
  switch (kind) {
    case T_BOTH: {
      const x = lo + ((hi - lo) * (Math.sin(u) + 1)) / 2;
      return x < lo ? lo : x > hi ? hi : x;
    }
    case T_LOWER: {
      const x = lo - s + Math.sqrt(u * u + s * s);
      return x < lo ? lo : x;
    }
    case T_UPPER: {
      const x = hi + s - Math.sqrt(u * u + s * s);
      return x > hi ? hi : x;
    }
    default:
      return u;
  }
}

/** d x / d u of the transform. *
 * @example
 * transformDerivative(T_BOTH, 0, 0, 1, 0); // 0.5
 */
export function transformDerivative(
  kind: number,
  u: number,
  lo: number,
  hi: number,
  s: number,
): number {
  switch (kind) {
    case T_BOTH:
      return ((hi - lo) * Math.cos(u)) / 2;
    case T_LOWER:
      return u / Math.sqrt(u * u + s * s);
    case T_UPPER:
      return -u / Math.sqrt(u * u + s * s);
    default:
      return 1;
  }
}
