export * from './tcspc/index.js';
export * from './flim/index.js';
export * from './fluence/index.js';
export * from './ta/index.js';
