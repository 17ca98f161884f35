/**
 * nanolum: the photophysics of nanocrystals. The root export holds the core (typed errors,
 * quantities with uncertainties, provenance, version); each domain is a subpath export:
 * `nanolum/data`, `nanolum/fit`, `nanolum/random`, `nanolum/parallel`, `nanolum/plot`,
 * `nanolum/report`, `nanolum/io`, `nanolum/materials`, `nanolum/spectra`, `nanolum/xps`,
 * `nanolum/kinetics`, `nanolum/transport`, and the Node adapters `nanolum/node`.
 */
export * from './core/index.js';
