/**
 * The browser entry of nanolum: the platform-neutral core (no Node built-ins), bundled by
 * `scripts/build-browser.mjs` into `dist/browser/nanolum.js`.
 *
 * @example
 * import { compileFormula, fit, fitFigure, renderFigure } from './nanolum.js';
 */
export * from './core/index.js';
export * from './data/index.js';
export * from './fit/index.js';
export * from './random/index.js';
export * from './plot/index.js';
export * from './report/index.js';
export * from './demo/index.js';
