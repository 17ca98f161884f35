export * from './errors.js';
export * from './quantity.js';
export * from './provenance.js';
export { VERSION } from './version.js';
