export * from './table.js';
export * from './table-text.js';
export * from './table-header.js';
export * from './table-columns.js';
