export * from './table.js';
export * from './table-text.js';
export * from './table-header.js';
export * from './table-columns.js';
export * from './picoquant-phu.js';
export * from './bh-sdt.js';
export * from './glotaran-ascii.js';
export * from './matrix.js';
