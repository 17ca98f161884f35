/**
 * Model formulas typed as text: `"b1*(1-exp(-b2*x))"`, `"A*exp(-x/tau) + c"`,
 * NIST-style `"exp[-b1*x]/(b2+b3*x)"` or `"b1*x**b2"`.
 *
 * A hand-written tokenizer and Pratt parser turn the text into a plain-data AST; nothing of the
 * user's text is ever evaluated. `compileFormula` resolves names (variables, parameters,
 * constants), differentiates the AST symbolically for an exact Jacobian, and turns the resulting
 * expression graph into a fast evaluator. The evaluator's JavaScript source is generated from the
 * validated graph only: parameters become `p0..`, variables `x0..`, numbers are re-emitted from
 * their numeric value and functions come from a fixed whitelist, so no user text reaches
 * `new Function`. Where `new Function` is forbidden (a browser page with a strict
 * Content-Security-Policy) a closure interpreter over the same graph is used and gives the same
 * numbers.
 *
 * Grammar (loosest to tightest binding):
 * - `a + b`, `a - b` (left-associative)
 * - `a * b`, `a / b` (left-associative)
 * - unary `-a`, `+a`
 * - `a ^ b` and `a ** b` (power, right-associative, tighter than unary minus: `-x^2 = -(x^2)`,
 *   `2^3^2 = 2^9`; the exponent may carry a sign: `2^-x`)
 * - numbers (`3`, `.5`, `1e-3`, `1.2E+05`), names, function calls `f(a, b)`, and parentheses;
 *   square brackets `[ ]` work as parentheses (NIST files write `exp[-b1*x]`).
 *
 * Simplification: the expression graph folds constants and drops terms like `0*u`, `1*u`, `u^1`,
 * `u + 0` (also in the model itself, so `0*log(x)` is 0 even at x = 0), and shares repeated
 * subexpressions between the model and all Jacobian columns; parameter-only terms are computed
 * once per call, not once per point.
 *
 * Names: the constants `pi` and `e` are constants unless the caller declares a variable or a
 * parameter of that name (declarations win). Every other name that is not a variable or a
 * function is a fit parameter. Function names cannot be used as parameter or variable names.
 *
 * @module
 */
import { FormulaError, InvalidInputError } from '../core/errors.js';
import type { Model } from './types.js';

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/** A parsed formula: plain JSON data. `pos` is the 0-based character position in the text. */
export type FormulaNode =
  | { type: 'number'; value: number; pos: number }
  | { type: 'name'; name: string; pos: number }
  | { type: 'unary'; op: '-' | '+'; arg: FormulaNode; pos: number }
  | {
      type: 'binary';
      op: '+' | '-' | '*' | '/' | '^';
      left: FormulaNode;
      right: FormulaNode;
      pos: number;
    }
  | { type: 'call'; name: string; args: FormulaNode[]; pos: number };

/** Longest formula accepted, in characters. */
export const MAX_FORMULA_LENGTH = 10_000;
/** Deepest nesting accepted (brackets, signs, powers, function calls; also long chains of `+`). */
export const MAX_FORMULA_DEPTH = 200;

/** Named constants; a variable or parameter of the same name takes precedence. */
export const FORMULA_CONSTANTS: Readonly<Record<string, number>> = Object.freeze({
  pi: Math.PI,
  e: Math.E,
});

// ---------------------------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------------------------

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/sqrt(pi)
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/sqrt(pi)

/** exp(-x^2) without the error of rounding x^2 (x split into a 16-bit-fraction head and a tail). */
function expMinusSquare(x: number): number {
  const hi = Math.floor(x * 65536) / 65536;
  return Math.exp(-hi * hi) * Math.exp(-(x - hi) * (x + hi));
}

/**
 * erfc(x) for x >= 3 by the Laplace continued fraction
 * erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated from the tail (stable; a fixed number of terms that suffices for 1e-17 at x).
 */
function erfcContinuedFraction(x: number): number {
  const terms = Math.ceil(8 + 400 / (x * x));
  let t = x;
  for (let n = terms; n >= 1; n--) t = x + n / 2 / t;
  return (expMinusSquare(x) * ONE_OVER_SQRT_PI) / t;
}

/** erf(x) for |x| < 0.5 by its Maclaurin series (alternating, little cancellation here). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

// Taylor expansions of erfc around x0 = 0.5, 0.75, ..., 3 (|h| <= 0.125) for the middle range,
// where 1 - erf(x) would lose digits and the continued fraction converges slowly.
const ERFC_NODE_STEP = 0.25;
const ERFC_NODE_FIRST = 0.5;
const ERFC_NODE_COUNT = 11;
/** erfc(x0) at the nodes (exact values, rounded to double). */
const erfcNodeValue = Float64Array.of(
  0.4795001221869535,
  0.28884436634648486,
  0.15729920705028513,
  0.07709987174354177,
  0.033894853524689274,
  0.013328328780817557,
  0.004677734981047266,
  0.0014627165866811518,
  0.0004069520174449589,
  0.00010062192211963683,
  2.209049699858544e-5,
);
/** 2/sqrt(pi) exp(-x0^2) at the nodes. */
const erfcNodeSlope = Float64Array.of(
  0.8787825789354448,
  0.6429310691952074,
  0.4151074974205947,
  0.2365211224472908,
  0.11893028922362937,
  0.05277499593015037,
  0.020666985354092053,
  0.007142319022017983,
  0.0021782842303527095,
  0.0005862772470937923,
  0.00013925305194674786,
);

function erfcTaylor(x: number): number {
  const k = Math.round((x - ERFC_NODE_FIRST) / ERFC_NODE_STEP);
  const x0 = ERFC_NODE_FIRST + k * ERFC_NODE_STEP;
  const h = x - x0;
  // erfc(x0+h) = erfc(x0) - 2/sqrt(pi) e^{-x0^2} * sum_m u_m h^{m+1}/(m+1),
  // where sum_m u_m h^m = exp(-2 x0 h - h^2): (m+1) u_{m+1} = -2 x0 u_m - 2 u_{m-1}.
  let uPrev = 0;
  let u = 1;
  let hp = h;
  let sum = h;
  for (let m = 0; m < 60; m++) {
    const uNext = (-2 * x0 * u - 2 * uPrev) / (m + 1);
    uPrev = u;
    u = uNext;
    hp *= h;
    const t = (u * hp) / (m + 2);
    sum += t;
    if (Math.abs(t) < 1e-18 * Math.abs(sum) && m > 2) break;
  }
  return erfcNodeValue[k]! - erfcNodeSlope[k]! * sum;
}

/**
 * The complementary error function erfc(x) = 1 - erf(x), with about 1e-15 relative accuracy
 * over the whole range (also in the far tail, where 1 - erf(x) would be useless).
 *
 * @example
 * erfc(3); // 2.209049699858544e-5
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x < ERFC_NODE_FIRST + (ERFC_NODE_COUNT - 0.5) * ERFC_NODE_STEP) return erfcTaylor(x);
  if (x > 27.3) return 0; // below the smallest subnormal
  return erfcContinuedFraction(x);
}

/**
 * The error function erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, with about 1e-15
 * relative accuracy.
 *
 * @example
 * erf(1); // 0.8427007929497149
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) return erfSeries(x);
  if (ax > 6) return x > 0 ? 1 : -1;
  const r = 1 - erfc(ax);
  return x > 0 ? r : -r;
}

// ---------------------------------------------------------------------------------------------
// The function whitelist
// ---------------------------------------------------------------------------------------------

type Impl = (...args: number[]) => number;

/** Helpers reachable from generated code as `H.<name>`; nothing else is. */
const HELPERS = Object.freeze({ erf, erfc });

interface FunctionSpec {
  arity: number;
  /** The JavaScript callee emitted in generated code (fixed text, never from the user). */
  js: string;
  impl: Impl;
}

const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  exp: { arity: 1, js: 'Math.exp', impl: Math.exp },
  expm1: { arity: 1, js: 'Math.expm1', impl: Math.expm1 },
  log: { arity: 1, js: 'Math.log', impl: Math.log },
  log10: { arity: 1, js: 'Math.log10', impl: Math.log10 },
  log2: { arity: 1, js: 'Math.log2', impl: Math.log2 },
  log1p: { arity: 1, js: 'Math.log1p', impl: Math.log1p },
  sqrt: { arity: 1, js: 'Math.sqrt', impl: Math.sqrt },
  cbrt: { arity: 1, js: 'Math.cbrt', impl: Math.cbrt },
  abs: { arity: 1, js: 'Math.abs', impl: Math.abs },
  sign: { arity: 1, js: 'Math.sign', impl: Math.sign },
  sin: { arity: 1, js: 'Math.sin', impl: Math.sin },
  cos: { arity: 1, js: 'Math.cos', impl: Math.cos },
  tan: { arity: 1, js: 'Math.tan', impl: Math.tan },
  asin: { arity: 1, js: 'Math.asin', impl: Math.asin },
  acos: { arity: 1, js: 'Math.acos', impl: Math.acos },
  atan: { arity: 1, js: 'Math.atan', impl: Math.atan },
  atan2: { arity: 2, js: 'Math.atan2', impl: Math.atan2 },
  sinh: { arity: 1, js: 'Math.sinh', impl: Math.sinh },
  cosh: { arity: 1, js: 'Math.cosh', impl: Math.cosh },
  tanh: { arity: 1, js: 'Math.tanh', impl: Math.tanh },
  asinh: { arity: 1, js: 'Math.asinh', impl: Math.asinh },
  acosh: { arity: 1, js: 'Math.acosh', impl: Math.acosh },
  atanh: { arity: 1, js: 'Math.atanh', impl: Math.atanh },
  erf: { arity: 1, js: 'H.erf', impl: erf },
  erfc: { arity: 1, js: 'H.erfc', impl: erfc },
  min: { arity: 2, js: 'Math.min', impl: Math.min },
  max: { arity: 2, js: 'Math.max', impl: Math.max },
  pow: { arity: 2, js: 'Math.pow', impl: Math.pow },
});

/** Other spellings accepted in formulas. */
const FUNCTION_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  ln: 'log',
  arctan: 'atan',
  arcsin: 'asin',
  arccos: 'acos',
  arctan2: 'atan2',
  arsinh: 'asinh',
  arcosh: 'acosh',
  artanh: 'atanh',
});

/** Names of every function a formula may call (aliases included), sorted. */
export const FORMULA_FUNCTIONS: readonly string[] = Object.freeze(
  [...Object.keys(FUNCTIONS), ...Object.keys(FUNCTION_ALIASES)].sort(),
);

function canonicalFunction(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) return name;
  if (Object.prototype.hasOwnProperty.call(FUNCTION_ALIASES, name)) return FUNCTION_ALIASES[name];
  return undefined;
}

function isFunctionName(name: string): boolean {
  return canonicalFunction(name) !== undefined;
}

function isConstantName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FORMULA_CONSTANTS, name);
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known function names closest to a misspelt one (at most 3), best first. */
function closestFunctions(name: string): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.min(2, Math.floor(name.length / 3)));
  const scored = FORMULA_FUNCTIONS.map((f) => ({ f, d: lower === f ? 0 : editDistance(lower, f) }))
    .filter((s) => s.d <= limit)
    .sort((u, v) => u.d - v.d || u.f.localeCompare(v.f));
  if (scored.length === 0) return [];
  return scored
    .filter((s) => s.d === scored[0]!.d)
    .slice(0, 3)
    .map((s) => s.f);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

type TokenKind = 'number' | 'name' | 'op' | 'open' | 'close' | 'comma' | 'end';
interface Token {
  kind: TokenKind;
  /** Operator or bracket text (`**` is normalised to `^`), the name, or the number's text. */
  text: string;
  value: number;
  pos: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{N}_]/u;

/** Appends where the problem is, with a short excerpt of the formula. */
function where(text: string, pos: number): string {
  const shown =
    text.length <= 70
      ? text
      : (pos > 35 ? '...' : '') +
        text.slice(Math.max(0, pos - 35), pos + 35) +
        (pos + 35 < text.length ? '...' : '');
  return `at position ${pos} in "${shown.replace(/\s+/g, ' ')}"`;
}

function describe(tok: Token): string {
  if (tok.kind === 'end') return 'the end of the formula';
  return `"${tok.text}"`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      while (isDigit(text[i])) i++;
      if (text[i] === '.') {
        i++;
        while (isDigit(text[i])) i++;
      }
      if (text[i] === 'e' || text[i] === 'E') {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (isDigit(text[j])) {
          i = j;
          while (isDigit(text[i])) i++;
        }
      }
      const s = text.slice(start, i);
      tokens.push({ kind: 'number', text: s, value: Number(s), pos: start });
      continue;
    }
    if (NAME_START.test(c)) {
      i++;
      while (i < n && NAME_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), value: NaN, pos: start });
      continue;
    }
    if (c === '*' && text[i + 1] === '*') {
      tokens.push({ kind: 'op', text: '^', value: NaN, pos: start });
      i += 2;
      continue;
    }
    if (c === '+' || c === '-' || c === '*' || c === '/' || c === '^') {
      tokens.push({ kind: 'op', text: c, value: NaN, pos: start });
      i++;
      continue;
    }
    // Typographic signs pasted from documents.
    if (c === '\u2212' || c === '\u2013') {
      tokens.push({ kind: 'op', text: '-', value: NaN, pos: start });
      i++;
      continue;
    }
    if (c === '\u00d7' || c === '\u00b7' || c === '\u22c5') {
      tokens.push({ kind: 'op', text: '*', value: NaN, pos: start });
      i++;
      continue;
    }
    if (c === '(' || c === '[') {
      tokens.push({ kind: 'open', text: c, value: NaN, pos: start });
      i++;
      continue;
    }
    if (c === ')' || c === ']') {
      tokens.push({ kind: 'close', text: c, value: NaN, pos: start });
      i++;
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'comma', text: c, value: NaN, pos: start });
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const hint = c === '=' ? ' (write only the right-hand side of "y = ...")' : '';
    throw new FormulaError(`unexpected character "${ch}" ${where(text, start)}${hint}`, start);
  }
  tokens.push({ kind: 'end', text: '', value: NaN, pos: n });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser (Pratt)
// ---------------------------------------------------------------------------------------------

const BP_ADD = 10;
const BP_MUL = 20;
const BP_UNARY = 30;
const BP_POW = 40;

function infixPower(tok: Token): number {
  if (tok.kind !== 'op') return -1;
  switch (tok.text) {
    case '+':
    case '-':
      return BP_ADD;
    case '*':
    case '/':
      return BP_MUL;
    case '^':
      return BP_POW;
    default:
      return -1;
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_FORMULA_DEPTH) {
      throw new FormulaError(
        `formula is nested too deeply (more than ${MAX_FORMULA_DEPTH} levels) ${where(this.text, pos)}`,
        pos,
      );
    }
  }

  parseAll(): FormulaNode {
    const first = this.peek();
    if (first.kind === 'end') throw new FormulaError('empty formula: nothing to evaluate', 0);
    const node = this.expr(0);
    const tok = this.peek();
    if (tok.kind !== 'end') throw this.unexpectedAfterOperand(tok);
    return node;
  }

  private unexpectedAfterOperand(tok: Token): FormulaError {
    if (tok.kind === 'number' || tok.kind === 'name' || tok.kind === 'open') {
      const prev = this.tokens[this.i - 1]!;
      return new FormulaError(
        `missing operator (such as "*") between ${describe(prev)} and ${describe(tok)} ${where(this.text, tok.pos)}`,
        tok.pos,
      );
    }
    if (tok.kind === 'close') {
      return new FormulaError(
        `unexpected "${tok.text}" ${where(this.text, tok.pos)}: no bracket to close`,
        tok.pos,
      );
    }
    if (tok.kind === 'comma') {
      return new FormulaError(
        `unexpected "," ${where(this.text, tok.pos)}: commas only separate function arguments`,
        tok.pos,
      );
    }
    return new FormulaError(`unexpected ${describe(tok)} ${where(this.text, tok.pos)}`, tok.pos);
  }

  private expr(minBp: number): FormulaNode {
    const startTok = this.peek();
    this.enter(startTok.pos);
    let left = this.prefix();
    for (;;) {
      const tok = this.peek();
      const bp = infixPower(tok);
      if (bp < 0 || bp <= minBp) break;
      this.next();
      // Power is right-associative: parse its right side with a lower minimum.
      const right = this.expr(bp === BP_POW ? bp - 1 : bp);
      left = {
        type: 'binary',
        op: tok.text as '+' | '-' | '*' | '/' | '^',
        left,
        right,
        pos: tok.pos,
      };
    }
    this.depth--;
    return left;
  }

  private operandExpected(tok: Token): FormulaError {
    const prev = this.i > 0 ? this.tokens[this.i - 1] : undefined;
    if (tok.kind === 'end') {
      const after = prev ? ` after "${prev.text}"` : '';
      return new FormulaError(
        `formula ends too early${after}: expected a number, a name or "(" at position ${tok.pos}`,
        tok.pos,
      );
    }
    return new FormulaError(`unexpected ${describe(tok)} ${where(this.text, tok.pos)}`, tok.pos);
  }

  private closeBracket(open: Token): void {
    const tok = this.peek();
    const want = open.text === '(' ? ')' : ']';
    if (tok.kind === 'close' && tok.text === want) {
      this.next();
      return;
    }
    if (tok.kind === 'close') {
      throw new FormulaError(
        `"${tok.text}" ${where(this.text, tok.pos)} does not match the "${open.text}" at position ${open.pos}`,
        tok.pos,
      );
    }
    if (tok.kind === 'end') {
      throw new FormulaError(
        `missing "${want}" to close the "${open.text}" ${where(this.text, open.pos)}`,
        open.pos,
      );
    }
    throw this.unexpectedAfterOperand(tok);
  }

  private prefix(): FormulaNode {
    const tok = this.next();
    switch (tok.kind) {
      case 'number':
        return { type: 'number', value: tok.value, pos: tok.pos };
      case 'name': {
        const open = this.peek();
        if (open.kind !== 'open') return { type: 'name', name: tok.text, pos: tok.pos };
        this.next();
        checkFunctionName(this.text, tok.text, tok.pos);
        const args: FormulaNode[] = [];
        if (!(this.peek().kind === 'close')) {
          for (;;) {
            args.push(this.expr(0));
            if (this.peek().kind === 'comma') {
              this.next();
              continue;
            }
            break;
          }
        }
        this.closeBracket(open);
        checkArity(this.text, tok.text, args.length, tok.pos);
        return { type: 'call', name: tok.text, args, pos: tok.pos };
      }
      case 'open': {
        const inner = this.expr(0);
        this.closeBracket(tok);
        return inner;
      }
      case 'op':
        if (tok.text === '-' || tok.text === '+') {
          const arg = this.expr(BP_UNARY);
          return { type: 'unary', op: tok.text, arg, pos: tok.pos };
        }
        throw this.operandExpected(tok);
      default:
        this.i--;
        throw this.operandExpected(tok);
    }
  }
}

function checkFunctionName(text: string, name: string, pos: number): void {
  if (canonicalFunction(name) !== undefined) return;
  const guesses = closestFunctions(name);
  const hint =
    guesses.length > 0
      ? ` - did you mean ${guesses.map((g) => `"${g}"`).join(' or ')}?`
      : `; known functions: ${FORMULA_FUNCTIONS.join(', ')}`;
  const implicit = guesses.length === 0 ? ' (for a product write "*", e.g. a*(b+c))' : '';
  throw new FormulaError(`unknown function "${name}" ${where(text, pos)}${hint}${implicit}`, pos);
}

function checkArity(text: string, name: string, nArgs: number, pos: number): void {
  const arity = FUNCTIONS[canonicalFunction(name)!]!.arity;
  if (nArgs !== arity) {
    throw new FormulaError(
      `"${name}" takes ${arity} argument${arity === 1 ? '' : 's'}, got ${nArgs} ${where(text, pos)}`,
      pos,
    );
  }
}

/**
 * Parses a formula into its AST (plain JSON data). Throws `FormulaError` with the 0-based
 * `position` of the problem and a message naming it.
 *
 * @example
 * parseFormula('-x^2'); // { type: 'unary', op: '-', arg: { type: 'binary', op: '^', ... } }
 */
export function parseFormula(text: string): FormulaNode {
  if (typeof text !== 'string')
    throw new FormulaError(`a formula must be text, got ${typeof text}`);
  if (text.length > MAX_FORMULA_LENGTH) {
    throw new FormulaError(
      `formula is too long (${text.length} characters; at most ${MAX_FORMULA_LENGTH})`,
      MAX_FORMULA_LENGTH,
    );
  }
  const ast = new Parser(text, tokenize(text)).parseAll();
  checkTreeDepth(text, ast);
  return ast;
}

/** Longest chain of operations accepted (e.g. terms of a sum), so later recursion stays shallow. */
export const MAX_FORMULA_CHAIN = 1000;

function checkTreeDepth(text: string, ast: FormulaNode): void {
  const stack: [FormulaNode, number][] = [[ast, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > MAX_FORMULA_CHAIN) {
      throw new FormulaError(
        `formula is too long a chain of operations (more than ${MAX_FORMULA_CHAIN} levels) ${where(text, n.pos)}`,
        n.pos,
      );
    }
    if (n.type === 'unary') stack.push([n.arg, d + 1]);
    else if (n.type === 'binary') stack.push([n.left, d + 1], [n.right, d + 1]);
    else if (n.type === 'call') for (const a of n.args) stack.push([a, d + 1]);
  }
}

/** Visits nodes in text order (pre-order: an operator before its operands, left before right). */
function walk(node: FormulaNode, visit: (n: FormulaNode) => void): void {
  const stack: FormulaNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    visit(n);
    if (n.type === 'unary') stack.push(n.arg);
    else if (n.type === 'binary') stack.push(n.right, n.left);
    else if (n.type === 'call') for (let k = n.args.length - 1; k >= 0; k--) stack.push(n.args[k]!);
  }
}

function nameNodesInOrder(ast: FormulaNode): { name: string; pos: number }[] {
  const out: { name: string; pos: number }[] = [];
  walk(ast, (n) => {
    if (n.type === 'name') out.push({ name: n.name, pos: n.pos });
  });
  return out.sort((a, b) => a.pos - b.pos);
}

/**
 * The names (not functions) a formula uses, each once, in order of first appearance. Includes
 * `pi` and `e` if used: they are constants unless declared as parameters or variables.
 *
 * @example
 * formulaIdentifiers('2*tau1 + w/pi'); // ['tau1', 'w', 'pi']
 */
export function formulaIdentifiers(text: string | FormulaNode): string[] {
  const ast = typeof text === 'string' ? parseFormula(text) : text;
  const seen = new Set<string>();
  for (const { name } of nameNodesInOrder(ast)) seen.add(name);
  return [...seen];
}

// ---------------------------------------------------------------------------------------------
// Pretty printing
// ---------------------------------------------------------------------------------------------

function precedence(n: FormulaNode): number {
  switch (n.type) {
    case 'binary':
      return n.op === '+' || n.op === '-' ? 1 : n.op === '*' || n.op === '/' ? 2 : 4;
    case 'unary':
      return 3;
    case 'number':
      return n.value < 0 || Object.is(n.value, -0) ? 3 : 5;
    default:
      return 5;
  }
}

function formatNumber(v: number): string {
  if (v === Infinity) return '1e999';
  if (v === -Infinity) return '-1e999';
  if (Number.isNaN(v)) return '(0/0)';
  return String(v);
}

/**
 * Prints an AST back as a formula with as few brackets as the grammar needs; the result parses
 * to the same AST (positions aside).
 *
 * @example
 * formatFormula(parseFormula('b1*(1-exp[-b2*x])')); // 'b1*(1 - exp(-b2*x))'
 */
export function formatFormula(ast: FormulaNode): string {
  const wrap = (child: FormulaNode, min: number): string => {
    const s = formatFormula(child);
    return precedence(child) < min ? `(${s})` : s;
  };
  switch (ast.type) {
    case 'number':
      return formatNumber(ast.value);
    case 'name':
      return ast.name;
    case 'call':
      return `${ast.name}(${ast.args.map((a) => formatFormula(a)).join(', ')})`;
    case 'unary':
      return `${ast.op}${wrap(ast.arg, 4)}`;
    case 'binary': {
      const p = precedence(ast);
      if (ast.op === '^') return `${wrap(ast.left, 5)}^${wrap(ast.right, 3)}`;
      const sep = p === 1 ? ` ${ast.op} ` : ast.op;
      return `${wrap(ast.left, p)}${sep}${wrap(ast.right, p + 1)}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Expression graph (hash-consed, simplifying constructors) and symbolic derivatives
// ---------------------------------------------------------------------------------------------

type Op = 'num' | 'param' | 'var' | 'neg' | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'call';

interface GNode {
  op: Op;
  /** num: the value; param/var: the index. */
  value: number;
  /** call: canonical function name. */
  fn: string;
  args: number[];
  /** Depends on an independent variable (else it is hoisted out of the per-point loop). */
  perPoint: boolean;
}

class Graph {
  readonly nodes: GNode[] = [];
  private readonly index = new Map<string, number>();

  private add_(op: Op, value: number, fn: string, args: number[]): number {
    const key = `${op}|${op === 'num' ? (Object.is(value, -0) ? '-0' : String(value)) : value}|${fn}|${args.join(',')}`;
    const hit = this.index.get(key);
    if (hit !== undefined) return hit;
    const perPoint = op === 'var' || args.some((a) => this.nodes[a]!.perPoint);
    const id = this.nodes.length;
    this.nodes.push({ op, value, fn, args, perPoint });
    this.index.set(key, id);
    return id;
  }

  isNum(id: number, v?: number): boolean {
    const n = this.nodes[id]!;
    return n.op === 'num' && (v === undefined || n.value === v);
  }
  val(id: number): number {
    return this.nodes[id]!.value;
  }

  num(v: number): number {
    return this.add_('num', v, '', []);
  }
  param(j: number): number {
    return this.add_('param', j, '', []);
  }
  variable(k: number): number {
    return this.add_('var', k, '', []);
  }
  neg(a: number): number {
    const n = this.nodes[a]!;
    if (n.op === 'num') return this.num(-n.value);
    if (n.op === 'neg') return n.args[0]!;
    return this.add_('neg', 0, '', [a]);
  }
  add(a: number, b: number): number {
    if (this.isNum(a) && this.isNum(b)) return this.num(this.val(a) + this.val(b));
    if (this.isNum(a, 0)) return b;
    if (this.isNum(b, 0)) return a;
    const nb = this.nodes[b]!;
    if (nb.op === 'neg') return this.sub(a, nb.args[0]!);
    const na = this.nodes[a]!;
    if (na.op === 'neg') return this.sub(b, na.args[0]!);
    return this.add_('add', 0, '', [a, b]);
  }
  sub(a: number, b: number): number {
    if (this.isNum(a) && this.isNum(b)) return this.num(this.val(a) - this.val(b));
    if (this.isNum(b, 0)) return a;
    if (this.isNum(a, 0)) return this.neg(b);
    const nb = this.nodes[b]!;
    if (nb.op === 'neg') return this.add(a, nb.args[0]!);
    return this.add_('sub', 0, '', [a, b]);
  }
  mul(a: number, b: number): number {
    if (this.isNum(a) && this.isNum(b)) return this.num(this.val(a) * this.val(b));
    if (this.isNum(a, 0) || this.isNum(b, 0)) return this.num(0);
    if (this.isNum(a, 1)) return b;
    if (this.isNum(b, 1)) return a;
    if (this.isNum(a, -1)) return this.neg(b);
    if (this.isNum(b, -1)) return this.neg(a);
    const na = this.nodes[a]!;
    if (na.op === 'neg') return this.neg(this.mul(na.args[0]!, b));
    const nb = this.nodes[b]!;
    if (nb.op === 'neg') return this.neg(this.mul(a, nb.args[0]!));
    return this.add_('mul', 0, '', [a, b]);
  }
  div(a: number, b: number): number {
    if (this.isNum(a) && this.isNum(b)) return this.num(this.val(a) / this.val(b));
    if (this.isNum(a, 0)) return this.num(0);
    if (this.isNum(b, 1)) return a;
    if (this.isNum(b, -1)) return this.neg(a);
    const na = this.nodes[a]!;
    if (na.op === 'neg') return this.neg(this.div(na.args[0]!, b));
    return this.add_('div', 0, '', [a, b]);
  }
  pow(a: number, b: number): number {
    if (this.isNum(a) && this.isNum(b)) return this.num(Math.pow(this.val(a), this.val(b)));
    if (this.isNum(b, 1)) return a;
    if (this.isNum(b, 0)) return this.num(1);
    return this.add_('pow', 0, '', [a, b]);
  }
  call(fn: string, args: number[]): number {
    if (fn === 'pow') return this.pow(args[0]!, args[1]!);
    if (args.every((a) => this.isNum(a)))
      return this.num(FUNCTIONS[fn]!.impl(...args.map((a) => this.val(a))));
    return this.add_('call', 0, fn, args);
  }

  /** d(node)/d(param j), memoised per parameter. */
  derivative(id: number, j: number, memo: Map<number, number>): number {
    const hit = memo.get(id);
    if (hit !== undefined) return hit;
    const n = this.nodes[id]!;
    let d: number;
    switch (n.op) {
      case 'num':
      case 'var':
        d = this.num(0);
        break;
      case 'param':
        d = this.num(n.value === j ? 1 : 0);
        break;
      case 'neg':
        d = this.neg(this.derivative(n.args[0]!, j, memo));
        break;
      case 'add':
        d = this.add(this.derivative(n.args[0]!, j, memo), this.derivative(n.args[1]!, j, memo));
        break;
      case 'sub':
        d = this.sub(this.derivative(n.args[0]!, j, memo), this.derivative(n.args[1]!, j, memo));
        break;
      case 'mul': {
        const [a, b] = n.args as [number, number];
        d = this.add(
          this.mul(this.derivative(a, j, memo), b),
          this.mul(a, this.derivative(b, j, memo)),
        );
        break;
      }
      case 'div': {
        const [a, b] = n.args as [number, number];
        const da = this.derivative(a, j, memo);
        const db = this.derivative(b, j, memo);
        // (a/b)' = (a' - (a/b) b') / b
        if (this.isNum(db, 0)) d = this.div(da, b);
        else d = this.div(this.sub(da, this.mul(id, db)), b);
        break;
      }
      case 'pow': {
        const [a, b] = n.args as [number, number];
        const da = this.derivative(a, j, memo);
        const db = this.derivative(b, j, memo);
        // d(a^b) = b a^(b-1) a' + a^b ln(a) b'
        const viaBase = this.isNum(da, 0)
          ? this.num(0)
          : this.mul(this.mul(b, this.pow(a, this.sub(b, this.num(1)))), da);
        const viaExp = this.isNum(db, 0)
          ? this.num(0)
          : this.mul(this.mul(id, this.call('log', [a])), db);
        d = this.add(viaBase, viaExp);
        break;
      }
      case 'call': {
        d = this.num(0);
        for (let k = 0; k < n.args.length; k++) {
          const dk = this.derivative(n.args[k]!, j, memo);
          if (this.isNum(dk, 0)) continue;
          d = this.add(d, this.mul(this.partial(id, k), dk));
        }
        break;
      }
    }
    memo.set(id, d);
    return d;
  }

  /** Partial derivative of the function call `id` with respect to its argument k. */
  private partial(id: number, k: number): number {
    const n = this.nodes[id]!;
    const a = n.args[0]!;
    const one = this.num(1);
    const sq = (u: number): number => this.mul(u, u);
    switch (n.fn) {
      case 'exp':
        return id;
      case 'expm1':
        return this.call('exp', [a]);
      case 'log':
        return this.div(one, a);
      case 'log10':
        return this.div(one, this.mul(a, this.num(Math.LN10)));
      case 'log2':
        return this.div(one, this.mul(a, this.num(Math.LN2)));
      case 'log1p':
        return this.div(one, this.add(one, a));
      case 'sqrt':
        return this.div(this.num(0.5), id);
      case 'cbrt':
        return this.div(one, this.mul(this.num(3), sq(id)));
      case 'abs':
        return this.call('sign', [a]);
      case 'sign':
        return this.num(0);
      case 'sin':
        return this.call('cos', [a]);
      case 'cos':
        return this.neg(this.call('sin', [a]));
      case 'tan':
        return this.add(one, sq(id));
      case 'asin':
        return this.div(one, this.call('sqrt', [this.sub(one, sq(a))]));
      case 'acos':
        return this.neg(this.div(one, this.call('sqrt', [this.sub(one, sq(a))])));
      case 'atan':
        return this.div(one, this.add(one, sq(a)));
      case 'atan2': {
        const [y, x] = n.args as [number, number];
        const r2 = this.add(sq(x), sq(y));
        return k === 0 ? this.div(x, r2) : this.neg(this.div(y, r2));
      }
      case 'sinh':
        return this.call('cosh', [a]);
      case 'cosh':
        return this.call('sinh', [a]);
      case 'tanh':
        return this.sub(one, sq(id));
      case 'asinh':
        return this.div(one, this.call('sqrt', [this.add(sq(a), one)]));
      case 'acosh':
        return this.div(one, this.call('sqrt', [this.sub(sq(a), one)]));
      case 'atanh':
        return this.div(one, this.sub(one, sq(a)));
      case 'erf':
        return this.mul(this.num(TWO_OVER_SQRT_PI), this.call('exp', [this.neg(sq(a))]));
      case 'erfc':
        return this.neg(this.mul(this.num(TWO_OVER_SQRT_PI), this.call('exp', [this.neg(sq(a))])));
      case 'min':
      case 'max': {
        // d max(a,b)/da = (1 + sign(a-b))/2, d/db = (1 - sign(a-b))/2; min the other way round.
        // At a tie both get 1/2.
        const s = this.call('sign', [this.sub(n.args[0]!, n.args[1]!)]);
        const plus = (n.fn === 'max') === (k === 0);
        return this.mul(this.num(0.5), plus ? this.add(one, s) : this.sub(one, s));
      }
      default:
        throw new Error(`internal: no derivative rule for ${n.fn}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Name resolution: AST -> graph
// ---------------------------------------------------------------------------------------------

type Resolve = (name: string, pos: number) => number;

function buildGraph(ast: FormulaNode, g: Graph, resolve: Resolve): number {
  switch (ast.type) {
    case 'number':
      return g.num(ast.value);
    case 'name':
      return resolve(ast.name, ast.pos);
    case 'unary': {
      const a = buildGraph(ast.arg, g, resolve);
      return ast.op === '-' ? g.neg(a) : a;
    }
    case 'binary': {
      const a = buildGraph(ast.left, g, resolve);
      const b = buildGraph(ast.right, g, resolve);
      switch (ast.op) {
        case '+':
          return g.add(a, b);
        case '-':
          return g.sub(a, b);
        case '*':
          return g.mul(a, b);
        case '/':
          return g.div(a, b);
        case '^':
          return g.pow(a, b);
      }
      break;
    }
    case 'call': {
      const fn = canonicalFunction(ast.name);
      if (fn === undefined) throw new FormulaError(`unknown function "${ast.name}"`, ast.pos);
      return g.call(
        fn,
        ast.args.map((x) => buildGraph(x, g, resolve)),
      );
    }
  }
  throw new Error('internal: bad formula node');
}

// ---------------------------------------------------------------------------------------------
// Code generation and the fallback interpreter
// ---------------------------------------------------------------------------------------------

/** Node ids needed to compute `roots`, in dependency order, split into hoisted and per-point. */
function schedule(g: Graph, roots: number[]): { hoisted: number[]; perPoint: number[] } {
  const needed = new Uint8Array(g.nodes.length);
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed[id]) continue;
    needed[id] = 1;
    for (const a of g.nodes[id]!.args) stack.push(a);
  }
  const hoisted: number[] = [];
  const perPoint: number[] = [];
  // Children always have smaller ids than their parents, so id order is dependency order.
  for (let id = 0; id < g.nodes.length; id++) {
    if (!needed[id]) continue;
    const n = g.nodes[id]!;
    if (n.op === 'num' || n.op === 'param' || n.op === 'var') continue;
    (n.perPoint ? perPoint : hoisted).push(id);
  }
  return { hoisted, perPoint };
}

function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}

/** JavaScript text for a node's value: a literal, a local, or a temporary. */
function ref(g: Graph, id: number): string {
  const n = g.nodes[id]!;
  if (n.op === 'num') return literal(n.value);
  if (n.op === 'param') return `p${n.value}`;
  if (n.op === 'var') return `x${n.value}`;
  return `t${id}`;
}

function isSquare(g: Graph, n: GNode): boolean {
  return n.op === 'pow' && g.isNum(n.args[1]!, 2);
}

function emitNode(g: Graph, id: number): string {
  const n = g.nodes[id]!;
  const r = (k: number): string => ref(g, n.args[k]!);
  switch (n.op) {
    case 'neg':
      return `-${r(0)}`;
    case 'add':
      return `${r(0)} + ${r(1)}`;
    case 'sub':
      return `${r(0)} - ${r(1)}`;
    case 'mul':
      return `${r(0)} * ${r(1)}`;
    case 'div':
      return `${r(0)} / ${r(1)}`;
    case 'pow':
      return isSquare(g, n) ? `${r(0)} * ${r(0)}` : `Math.pow(${r(0)}, ${r(1)})`;
    case 'call':
      return `${FUNCTIONS[n.fn]!.js}(${n.args.map((a) => ref(g, a)).join(', ')})`;
    default:
      throw new Error('internal: leaf node emitted');
  }
}

function emitLines(g: Graph, ids: number[], indent: string): string {
  return ids.map((id) => `${indent}const t${id} = ${emitNode(g, id)};\n`).join('');
}

function paramLoads(nParams: number, from: string): string {
  if (nParams === 0) return '';
  const parts: string[] = [];
  for (let j = 0; j < nParams; j++) parts.push(`p${j} = ${from}[${j}]`);
  return `  const ${parts.join(', ')};\n`;
}

function varLoads(nVars: number): string {
  if (nVars === 0) return '';
  const parts: string[] = [];
  for (let k = 0; k < nVars; k++) parts.push(`x${k} = x[xi${k === 0 ? '' : ` + ${k}`}]`);
  return `    const ${parts.join(', ')};\n`;
}

/** Builds a function from generated source; returns undefined where `new Function` is blocked. */
function build<T>(source: string): T | undefined {
  try {
    const factory = new Function('Math', 'H', `"use strict";\n${source}`) as (
      m: Math,
      h: typeof HELPERS,
    ) => T;
    return factory(Math, HELPERS);
  } catch (err) {
    if (err instanceof EvalError) return undefined; // Content-Security-Policy without 'unsafe-eval'
    throw err;
  }
}

type PointKernel = (p: ArrayLike<number>, x: ArrayLike<number>, out: Float64Array) => void;

function generatePointKernel(
  g: Graph,
  roots: number[],
  nParams: number,
  nVars: number,
  stride: number,
): string {
  const { hoisted, perPoint } = schedule(g, roots);
  const m = roots.length;
  const writes = roots
    .map((r, j) => `    out[o${j === 0 ? '' : ` + ${j}`}] = ${ref(g, r)};\n`)
    .join('');
  return (
    `return function kernel(p, x, out) {\n` +
    `  const n = ${m === 0 ? 0 : `(out.length / ${m}) | 0`};\n` +
    paramLoads(nParams, 'p') +
    emitLines(g, hoisted, '  ') +
    `  for (let i = 0, xi = 0, o = 0; i < n; i++, xi += ${stride}, o += ${m}) {\n` +
    varLoads(nVars) +
    emitLines(g, perPoint, '    ') +
    writes +
    `  }\n};\n`
  );
}

/** Points per block in the interpreter: each operation runs over a whole block per call. */
const BLOCK = 256;

/**
 * Closure interpreter over the same graph, for pages that forbid generated code. Parameter-only
 * nodes are computed once per call; the per-point operations run block-wise over up to BLOCK
 * points each, so the cost of dispatching a closure is spread over many points. Every point sees
 * exactly the same floating-point operations as in the generated code, so results are identical.
 */
function interpretPointKernel(g: Graph, roots: number[], stride: number): PointKernel {
  const { hoisted, perPoint } = schedule(g, roots);
  const scalars = new Float64Array(g.nodes.length);
  const paramIds: number[] = [];
  const varIds: number[] = [];
  g.nodes.forEach((n, id) => {
    if (n.op === 'num') scalars[id] = n.value;
    else if (n.op === 'param') paramIds.push(id);
    else if (n.op === 'var') varIds.push(id);
  });
  const hoistOps = hoisted.map((id) => makeOp(g, id, scalars));
  // A column for every node a per-point operation reads or writes; scalar nodes read by
  // per-point operations get their column filled with their value once per call.
  const columns = new Map<number, Float64Array>();
  const column = (id: number): Float64Array => {
    let c = columns.get(id);
    if (!c) {
      c = new Float64Array(BLOCK);
      columns.set(id, c);
    }
    return c;
  };
  const broadcast = new Set<number>();
  for (const id of perPoint) {
    column(id);
    for (const a of g.nodes[id]!.args) {
      column(a);
      if (!g.nodes[a]!.perPoint) broadcast.add(a);
    }
  }
  for (const id of varIds) column(id);
  const blockOps = perPoint.map((id) => makeBlockOp(g, id, column));
  const fills = [...broadcast];
  const varCols = varIds.map((id) => ({ col: column(id), k: g.nodes[id]!.value }));
  const rootCols = roots.map((r) => (g.nodes[r]!.perPoint ? column(r) : undefined));
  const m = roots.length;
  return (p, x, out) => {
    const n = m === 0 ? 0 : (out.length / m) | 0;
    for (const id of paramIds) scalars[id] = p[g.nodes[id]!.value]!;
    for (const op of hoistOps) op();
    for (const id of fills) columns.get(id)!.fill(scalars[id]!);
    for (let start = 0; start < n; start += BLOCK) {
      const len = Math.min(BLOCK, n - start);
      for (const { col, k } of varCols) {
        for (let i = 0, xi = start * stride + k; i < len; i++, xi += stride) col[i] = x[xi]!;
      }
      for (const op of blockOps) op(len);
      for (let j = 0; j < m; j++) {
        const col = rootCols[j];
        if (col) for (let i = 0, o = start * m + j; i < len; i++, o += m) out[o] = col[i]!;
        else
          for (let i = 0, o = start * m + j, v = scalars[roots[j]!]!; i < len; i++, o += m)
            out[o] = v;
      }
    }
  };
}

/** One per-point operation over the first `len` entries of its columns. */
function makeBlockOp(
  g: Graph,
  id: number,
  column: (id: number) => Float64Array,
): (len: number) => void {
  const n = g.nodes[id]!;
  const r = column(id);
  const a = column(n.args[0]!);
  const b = n.args.length > 1 ? column(n.args[1]!) : a;
  switch (n.op) {
    case 'neg':
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = -a[i]!;
      };
    case 'add':
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = a[i]! + b[i]!;
      };
    case 'sub':
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = a[i]! - b[i]!;
      };
    case 'mul':
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = a[i]! * b[i]!;
      };
    case 'div':
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = a[i]! / b[i]!;
      };
    case 'pow':
      if (isSquare(g, n)) {
        return (len) => {
          for (let i = 0; i < len; i++) r[i] = a[i]! * a[i]!;
        };
      }
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = Math.pow(a[i]!, b[i]!);
      };
    case 'call': {
      const f = FUNCTIONS[n.fn]!.impl;
      // The commonest functions get their own loop, so each call site stays monomorphic.
      if (n.fn === 'exp') {
        return (len) => {
          for (let i = 0; i < len; i++) r[i] = Math.exp(a[i]!);
        };
      }
      if (n.fn === 'log') {
        return (len) => {
          for (let i = 0; i < len; i++) r[i] = Math.log(a[i]!);
        };
      }
      if (n.args.length === 1) {
        return (len) => {
          for (let i = 0; i < len; i++) r[i] = f(a[i]!);
        };
      }
      return (len) => {
        for (let i = 0; i < len; i++) r[i] = f(a[i]!, b[i]!);
      };
    }
    default:
      throw new Error('internal: leaf node interpreted');
  }
}

/** One parameter-only operation on scalars. */
function makeOp(g: Graph, id: number, s: Float64Array): () => void {
  const n = g.nodes[id]!;
  const a = n.args[0] ?? 0;
  const b = n.args[1] ?? 0;
  switch (n.op) {
    case 'neg':
      return () => {
        s[id] = -s[a]!;
      };
    case 'add':
      return () => {
        s[id] = s[a]! + s[b]!;
      };
    case 'sub':
      return () => {
        s[id] = s[a]! - s[b]!;
      };
    case 'mul':
      return () => {
        s[id] = s[a]! * s[b]!;
      };
    case 'div':
      return () => {
        s[id] = s[a]! / s[b]!;
      };
    case 'pow':
      if (isSquare(g, n)) {
        return () => {
          s[id] = s[a]! * s[a]!;
        };
      }
      return () => {
        s[id] = Math.pow(s[a]!, s[b]!);
      };
    case 'call': {
      const f = FUNCTIONS[n.fn]!.impl;
      if (n.args.length === 1) {
        return () => {
          s[id] = f(s[a]!);
        };
      }
      return () => {
        s[id] = f(s[a]!, s[b]!);
      };
    }
    default:
      throw new Error('internal: leaf node interpreted');
  }
}

/** How evaluators are built: generated code (`compiled`), the closure `interpreter`, or `auto`. */
export type FormulaBackend = 'auto' | 'compiled' | 'interpreter';

function makeKernel(
  g: Graph,
  roots: number[],
  nParams: number,
  nVars: number,
  stride: number,
  backend: FormulaBackend,
): { kernel: PointKernel; compiled: boolean } {
  if (backend !== 'interpreter') {
    const k = build<PointKernel>(generatePointKernel(g, roots, nParams, nVars, stride));
    if (k) return { kernel: k, compiled: true };
    if (backend === 'compiled') {
      throw new InvalidInputError(
        'this page forbids generated code (Content-Security-Policy without unsafe-eval); use backend "interpreter" or "auto"',
      );
    }
  }
  return { kernel: interpretPointKernel(g, roots, stride), compiled: false };
}

// ---------------------------------------------------------------------------------------------
// compileFormula
// ---------------------------------------------------------------------------------------------

/** A fit model built from a formula; a `Model` for `fit()` with an exact (symbolic) Jacobian. */
export interface FormulaModel extends Model {
  /** Parameter names: in order of first appearance, or as given in `options.params`. */
  readonly params: readonly string[];
  readonly nVariables: number;
  /** The formula as given. */
  readonly text: string;
  /** Independent variable names, in the order of x's columns. */
  readonly variables: readonly string[];
  readonly ast: FormulaNode;
  /** `compiled` (generated code) or `interpreter` (closure interpreter, e.g. under a strict CSP). */
  readonly backend: 'compiled' | 'interpreter';
  evaluate(p: Float64Array, x: Float64Array, out: Float64Array): void;
  jacobian(p: Float64Array, x: Float64Array, jac: Float64Array): void;
  /** The model at one point: `evaluateAt(p, x)` or `evaluateAt(p, x1, x2)`. */
  evaluateAt(p: ArrayLike<number>, ...vars: number[]): number;
  /** d model / d p_j at one point. */
  gradientAt(p: ArrayLike<number>, ...vars: number[]): Float64Array;
}

export interface CompileFormulaOptions {
  /** Independent variable names (default `['x']`); several variables come point-major in x. */
  variables?: string[];
  /** Parameter order. Must list exactly the formula's parameters. Default: order of first appearance. */
  params?: string[];
  /** Evaluator construction (default `auto`: generated code, or the interpreter where blocked). */
  backend?: FormulaBackend;
}

const NAME_RE = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function checkNames(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      throw new InvalidInputError(
        `${kind} name ${JSON.stringify(name)} is not a valid name (letters, digits, _)`,
      );
    }
    if (isFunctionName(name)) {
      throw new InvalidInputError(`${kind} name "${name}" is a function name; choose another name`);
    }
    if (seen.has(name)) throw new InvalidInputError(`${kind} name "${name}" is given twice`);
    seen.add(name);
  }
}

function list(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : 'none';
}

/**
 * Compiles a formula into a fit `Model` with an exact symbolic Jacobian.
 *
 * Names are resolved in this order: variables, then parameters given in `options.params`, then
 * the constants `pi` and `e`, then (without `options.params`) every other name is a parameter,
 * in order of first appearance. Throws `FormulaError` for syntax errors, unknown functions or
 * names, and `InvalidInputError` for bad options.
 *
 * @example
 * const m = compileFormula('A*exp(-x/tau) + c');
 * m.params; // ['A', 'tau', 'c']
 * m.evaluateAt([2, 1, 0.5], 0); // 2.5
 * const x = Float64Array.of(0, 1, 2), out = new Float64Array(3);
 * m.evaluate(Float64Array.of(2, 1, 0.5), x, out);
 */
export function compileFormula(text: string, options: CompileFormulaOptions = {}): FormulaModel {
  const variables = options.variables ?? ['x'];
  if (!Array.isArray(variables)) throw new InvalidInputError('variables must be an array of names');
  checkNames('variable', variables);
  if (options.params !== undefined) {
    if (!Array.isArray(options.params))
      throw new InvalidInputError('params must be an array of names');
    checkNames('parameter', options.params);
    for (const p of options.params) {
      if (variables.includes(p))
        throw new InvalidInputError(`"${p}" is given both as a variable and as a parameter`);
    }
  }
  const ast = parseFormula(text);

  const params: string[] = options.params ? [...options.params] : [];
  const explicit = options.params !== undefined;
  const resolve = (name: string, pos: number): number => {
    const k = variables.indexOf(name);
    if (k >= 0) return g.variable(k);
    let j = params.indexOf(name);
    if (j >= 0) return g.param(j);
    if (isConstantName(name)) return g.num(FORMULA_CONSTANTS[name]!);
    if (isFunctionName(name)) {
      throw new FormulaError(
        `"${name}" is a function: write ${name}(...) ${where(text, pos)}`,
        pos,
      );
    }
    if (explicit) {
      throw new FormulaError(
        `unknown name "${name}" ${where(text, pos)}: not a variable (${list(variables)}), a parameter (${list(params)}) or a constant (pi, e)`,
        pos,
      );
    }
    j = params.length;
    params.push(name);
    return g.param(j);
  };
  // Resolve names in text order so parameters are numbered by first appearance.
  const g = new Graph();
  for (const { name, pos } of nameNodesInOrder(ast)) resolve(name, pos);
  if (explicit) {
    const used = new Set(formulaIdentifiers(ast));
    const unused = params.filter((p) => !used.has(p));
    if (unused.length > 0) {
      throw new FormulaError(
        `parameter${unused.length > 1 ? 's' : ''} ${unused.map((p) => `"${p}"`).join(', ')} not used in the formula "${text}"`,
      );
    }
  }
  const root = buildGraph(ast, g, resolve);
  const np = params.length;
  const nv = variables.length;
  const grads: number[] = [];
  for (let j = 0; j < np; j++) grads.push(g.derivative(root, j, new Map()));

  const backend = options.backend ?? 'auto';
  const ev = makeKernel(g, [root], np, nv, nv, backend);
  const jk = makeKernel(g, grads, np, nv, nv, ev.compiled ? 'compiled' : 'interpreter');

  const scratchP = new Float64Array(np);
  const scratchX = new Float64Array(nv);
  const scratchOut = new Float64Array(1);
  const point = (p: ArrayLike<number>, vars: number[], what: string): void => {
    if (p.length !== np) {
      throw new InvalidInputError(
        `${what}: expected ${np} parameter value(s) (${list(params)}), got ${p.length}`,
      );
    }
    if (vars.length !== nv) {
      throw new InvalidInputError(
        `${what}: expected ${nv} variable value(s) (${list(variables)}), got ${vars.length}`,
      );
    }
    for (let j = 0; j < np; j++) scratchP[j] = p[j]!;
    for (let k = 0; k < nv; k++) scratchX[k] = vars[k]!;
  };

  const frozenParams = Object.freeze([...params]);
  return {
    params: frozenParams,
    nVariables: nv,
    text,
    variables: Object.freeze([...variables]),
    ast,
    backend: ev.compiled ? 'compiled' : 'interpreter',
    evaluate: (p, x, out) => ev.kernel(p, x, out),
    jacobian: (p, x, jac) => jk.kernel(p, x, jac),
    evaluateAt(p, ...vars) {
      point(p, vars, 'evaluateAt');
      ev.kernel(scratchP, scratchX, scratchOut);
      return scratchOut[0]!;
    },
    gradientAt(p, ...vars) {
      point(p, vars, 'gradientAt');
      const out = new Float64Array(np);
      jk.kernel(scratchP, scratchX, out);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Expressions of named values (tied parameters)
// ---------------------------------------------------------------------------------------------

function expressionGraph(
  text: string,
  names: readonly string[],
): { g: Graph; root: number; used: number[] } {
  if (!Array.isArray(names))
    throw new InvalidInputError('names must be an array of parameter names');
  checkNames('parameter', names);
  const ast = parseFormula(text);
  const g = new Graph();
  const used = new Set<number>();
  const resolve = (name: string, pos: number): number => {
    const j = names.indexOf(name);
    if (j >= 0) {
      used.add(j);
      return g.param(j);
    }
    if (isConstantName(name)) return g.num(FORMULA_CONSTANTS[name]!);
    if (isFunctionName(name)) {
      throw new FormulaError(
        `"${name}" is a function: write ${name}(...) ${where(text, pos)}`,
        pos,
      );
    }
    const guess = names.find((n) => n.toLowerCase() === name.toLowerCase());
    throw new FormulaError(
      `unknown parameter "${name}" ${where(text, pos)}${guess ? ` - did you mean "${guess}"?` : `; parameters: ${list(names)}`}`,
      pos,
    );
  };
  const root = buildGraph(ast, g, resolve);
  return { g, root, used: [...used].sort((a, b) => a - b) };
}

/**
 * Compiles an expression of named values, e.g. a tied parameter `"2*tau1"`, into a function of
 * the values in the order of `names`. Throws `FormulaError` if it uses a name not in `names`.
 *
 * @example
 * const f = compileExpression('2*tau1 + w', ['tau1', 'tau2', 'w']);
 * f([1.5, 7, 0.25]); // 3.25
 */
export function compileExpression(
  text: string,
  names: readonly string[],
  backend: FormulaBackend = 'auto',
): (values: ArrayLike<number>) => number {
  const { g, root } = expressionGraph(text, names);
  const { kernel } = makeKernel(g, [root], names.length, 0, 0, backend);
  const out = new Float64Array(1);
  const n = names.length;
  return (values) => {
    if (values.length < n) {
      throw new InvalidInputError(
        `expression "${text}": expected ${n} value(s) (${list(names)}), got ${values.length}`,
      );
    }
    kernel(values, out, out);
    return out[0]!;
  };
}

/**
 * The gradient of an expression of named values: returns `(values, out?) => gradient` with
 * d expr / d names[j] in `gradient[j]` (exact, symbolic). Names the expression does not use get 0.
 *
 * @example
 * const grad = compileExpressionGradient('2*tau1*w', ['tau1', 'w']);
 * grad([3, 0.5]); // Float64Array [1, 6]
 */
export function compileExpressionGradient(
  text: string,
  names: readonly string[],
  backend: FormulaBackend = 'auto',
): (values: ArrayLike<number>, out?: Float64Array) => Float64Array {
  const { g, root } = expressionGraph(text, names);
  const grads: number[] = [];
  for (let j = 0; j < names.length; j++) grads.push(g.derivative(root, j, new Map()));
  const { kernel } = makeKernel(g, grads, names.length, 0, 0, backend);
  const n = names.length;
  const dummy = new Float64Array(0);
  return (values, out = new Float64Array(n)) => {
    if (values.length < n) {
      throw new InvalidInputError(
        `expression "${text}": expected ${n} value(s) (${list(names)}), got ${values.length}`,
      );
    }
    if (out.length < n) throw new InvalidInputError(`gradient output needs room for ${n} values`);
    if (n > 0) kernel(values, dummy, out.length === n ? out : out.subarray(0, n));
    return out;
  };
}

/**
 * Which of `names` an expression uses (in the order of `names`); throws `FormulaError` if it uses
 * a name that is neither in `names` nor a constant.
 *
 * @example
 * expressionDependencies('2*tau1', ['A', 'tau1', 'tau2']); // ['tau1']
 */
export function expressionDependencies(text: string, names: readonly string[]): string[] {
  const { used } = expressionGraph(text, names);
  return used.map((j) => names[j]!);
}
