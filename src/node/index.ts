export * from './svg.js';
export * from './files.js';
export * from './progress.js';
export * from './workers.js';
