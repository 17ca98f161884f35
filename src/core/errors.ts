/**
 * Typed errors. Every error nanolum throws on purpose is a `NanolumError`, with a message
 * written for the scientist reading it: what was wrong, where (file, row, column, parameter)
 * and, where possible, what to do about it.
 */
export class NanolumError extends Error {
  /** A short machine-readable code, e.g. `DATA_FORMAT`. */
  readonly code: string;
  constructor(message: string, code = 'NANOLUM') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Where in a file a problem was found. All fields optional; 1-based row and column. */
export interface FileLocation {
  file?: string;
  row?: number;
  column?: number | string;
  byteOffset?: number;
}

function locationText(loc: FileLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  if (loc.byteOffset !== undefined) parts.push(`byte ${loc.byteOffset}`);
  return parts.join(', ');
}

/** A file or byte stream that is malformed, truncated, or not the format it claims to be. */
export class DataFormatError extends NanolumError {
  readonly location: FileLocation;
  constructor(detail: string, location: FileLocation = {}) {
    const where = locationText(location);
    super(where ? `${where}: ${detail}` : detail, 'DATA_FORMAT');
    this.location = location;
  }
}

/** An argument or option that is out of range, inconsistent or missing. */
export class InvalidInputError extends NanolumError {
  constructor(message: string) {
    super(message, 'INVALID_INPUT');
  }
}

/** A model formula that does not parse, or uses an unknown function or variable. */
export class FormulaError extends NanolumError {
  /** 0-based character position in the formula where the problem was found, if known. */
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(message, 'FORMULA');
    this.position = position;
  }
}

/** A fit that could not be started (bad parameters, no data) - not a fit that did not converge. */
export class FitSetupError extends NanolumError {
  constructor(message: string) {
    super(message, 'FIT_SETUP');
  }
}

/** Work that was cancelled by the user (AbortSignal). */
export class CancelledError extends NanolumError {
  constructor(message = 'cancelled') {
    super(message, 'CANCELLED');
  }
}

/** Unknown material, preset or other named thing. */
export class UnknownNameError extends NanolumError {
  constructor(kind: string, name: string, known: readonly string[]) {
    super(`unknown ${kind} "${name}"; known: ${known.join(', ')}`, 'UNKNOWN_NAME');
  }
}
