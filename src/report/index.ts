export * from './types.js';
export * from './html.js';
export * from './json.js';
export * from './csv.js';
