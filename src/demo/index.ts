export * from './types.js';
export * from './seed.js';
export * from './run.js';
export { DEMO_SECTIONS } from './sections/index.js';
