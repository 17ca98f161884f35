export * from './types.js';
export * from './style.js';
export * from './ticks.js';
export * from './png.js';
export * from './render.js';
export * from './figures.js';
export * from './browser.js';
