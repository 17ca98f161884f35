export * as demo from './demo.js';
export * as fit from './fit.js';
export * as material from './material.js';
export * as size from './size.js';
export * as spectrum from './spectrum.js';
export * as xps from './xps.js';
export * as transport from './transport.js';
