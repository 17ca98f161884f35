/**
 * Column headers: split a header cell into a name and a unit (`time (ns)`, `Time [ns]`,
 * `Time / ns`, `t/ns`), and recognise rows that hold only units.
 */

/** Units that a header may consist of entirely: the column is then named after its unit. */
const UNIT_ONLY = new Set([
  'counts',
  'count',
  'cts',
  'cps',
  'counts/s',
  'cts/s',
  'counts/sec',
  'photons',
  'photons/s',
  'a.u.',
  'au',
  'arb. units',
  'arb.u.',
  'arb. u.',
  '%',
  'od',
  'mod',
  'δod',
  'δa',
  'ev',
  'nm',
]);

/** Words before a slash that make the slash part of a rate (`counts/s`), not `quantity/unit`. */
const RATE_WORDS = new Set([
  'counts',
  'count',
  'cts',
  'photons',
  'photon',
  'events',
  'event',
  'c',
  'kcounts',
  'kcts',
]);

/** Units recognised after a slash in the ISO `quantity/unit` convention (`t/ns`, `E/eV`). */
const SLASH_UNITS = new Set([
  'fs',
  'ps',
  'ns',
  'us',
  'µs',
  'μs',
  'ms',
  's',
  'min',
  'h',
  'nm',
  'um',
  'µm',
  'μm',
  'mm',
  'cm',
  'm',
  'pm',
  'å',
  'ev',
  'mev',
  'kev',
  'j',
  'k',
  '°c',
  'cm-1',
  'cm^-1',
  '1/cm',
  'hz',
  'khz',
  'mhz',
  'ghz',
  'thz',
  'mw',
  'w',
  'uw',
  'µw',
  'nw',
  'mj',
  'uj',
  'µj',
  'nj',
  'v',
  'mv',
  'a',
  'ma',
  'deg',
  '°',
  'rad',
  'a.u.',
  'au',
  'od',
  'mod',
  '%',
  'counts',
  'cps',
  'kcps',
  'w/cm2',
  'w/cm^2',
  'mw/cm2',
  'mw/cm^2',
  'uj/cm2',
  'µj/cm2',
  'µj/cm^2',
  'uj/cm^2',
  'nj/cm2',
  'nj/cm^2',
  'cm-2',
  'cm^-2',
  'cm-3',
  'cm^-3',
]);

/** A header cell split into name and unit. */
export interface HeaderName {
  name: string;
  unit: string;
}

/**
 * Split a header cell into a name and a unit. Recognises `time (ns)`, `Time [ns]`,
 * `Time / ns` and `t/ns` (ISO style, when the part after the slash is a known unit); a header
 * that is itself a unit (`counts`, `counts/s`, `a.u.`) gives that unit with the same name.
 *
 * @example
 * parseHeaderName('Time [ns]'); // { name: 'Time', unit: 'ns' }
 * parseHeaderName('counts/s');  // { name: 'counts/s', unit: 'counts/s' }
 */
export function parseHeaderName(header: string): HeaderName {
  const h = header.trim();
  let m = /^(.*?\S)\s*\(([^()]*)\)$/.exec(h);
  if (m) return { name: m[1].trim(), unit: m[2].trim() };
  m = /^(.*?\S)\s*\[([^[\]]*)\]$/.exec(h);
  if (m) return { name: m[1].trim(), unit: m[2].trim() };
  m = /^(.*\S)\s+\/\s+(\S.*)$/.exec(h);
  if (m) return { name: m[1].trim(), unit: m[2].trim() };
  if (UNIT_ONLY.has(h.toLowerCase())) return { name: h, unit: h };
  m = /^([^/]*\S)\/(\S+)$/.exec(h);
  if (m && !RATE_WORDS.has(m[1].toLowerCase()) && SLASH_UNITS.has(m[2].toLowerCase())) {
    return { name: m[1], unit: m[2] };
  }
  return { name: h, unit: '' };
}

/**
 * True if a cell looks like a unit on its own (`ns`, `(ns)`, `[eV]`, `counts/s`, `a.u.`,
 * `cm^-1`, `µJ/cm²`, `%`): SI-prefixed units, known names, or anything in brackets - used to
 * recognise a units row under the names row. Words such as `time` or `Probe A` are not units.
 *
 * @example
 * looksLikeUnit('µs'); // true
 * looksLikeUnit('sample A, 300 K'); // false
 */
export function looksLikeUnit(cell: string): boolean {
  let s = cell.trim();
  if (s === '') return false;
  const br = /^[([](.*)[)\]]$/.exec(s);
  if (br) return br[1].trim() !== '' && br[1].length <= 20;
  if (s.length > 20) return false;
  s = s.toLowerCase() === 'arb. units' || s.toLowerCase() === 'arbitrary units' ? 'a.u.' : s;
  if (UNIT_ONLY.has(s.toLowerCase()) || SLASH_UNITS.has(s.toLowerCase())) return true;
  return s.split(/[/·*]/).every((part) => part === '1' || UNIT_PART.test(part));
}

/** One factor of a unit: SI prefix + base unit, with an optional exponent (`cm^-1`, `cm-2`, `m²`). */
const UNIT_PART =
  /^(?:[yzafpnuµμmcdkMGTPE]?(?:s|sec|m|g|eV|J|W|Hz|K|V|A|mol|L|T|Pa|bar|C|Ω|rad|sr|Wb|F|H|S|Oe|cts|counts?|photons?|OD)|min|h|Å|°|°C|deg|au|a\.u\.|%|ppm)(?:\^?[-+]?\d+|[²³]|⁻[¹²³])?$/;
