import { VERSION } from './version.js';

/** One input file that a result was computed from. */
export interface InputRecord {
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * What made a result: software and version, when, the options used, the random seed if any,
 * and the input files with their hashes. Attached to every saved result and report.
 */
export interface Provenance {
  software: 'nanolum';
  version: string;
  createdAt: string;
  analysis: string;
  parameters: Record<string, unknown>;
  seed: number | null;
  inputs: InputRecord[];
}

export function provenance(
  analysis: string,
  parameters: Record<string, unknown> = {},
  options: { seed?: number | null; inputs?: InputRecord[]; createdAt?: Date } = {},
): Provenance {
  return {
    software: 'nanolum',
    version: VERSION,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    analysis,
    parameters,
    seed: options.seed ?? null,
    inputs: options.inputs ?? [],
  };
}

/** SHA-256 of bytes as lowercase hex, using WebCrypto (available in Node >= 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function inputRecord(name: string, bytes: Uint8Array): Promise<InputRecord> {
  return { name, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
}
