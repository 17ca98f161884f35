/**
 * Test helper: run the nanolum CLI in this process (the same code path as `src/cli/main.ts`)
 * with captured, non-terminal stdout and stderr.
 */
import { runCli } from '../../src/cli/program.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Same as stdout / stderr, for tests that prefer the short names. */
  out: string;
  err: string;
}

function sink() {
  return {
    text: '',
    isTTY: false,
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

/** `await runCliCaptured(['fit', 'data.csv', '--json'])` */
export async function runCliCaptured(argv: string[]): Promise<CliRun> {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text, out: stdout.text, err: stderr.text };
}

/** Variadic form: `await cli('fit', 'data.csv', '--json')`. */
export function cli(...args: string[]): Promise<CliRun> {
  return runCliCaptured(args);
}
