export * from './axis.js';
export * from './calibrated.js';
