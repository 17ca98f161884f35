/**
 * The `nanolum` command-line program: global options, command registration and the mapping
 * of errors to exit codes (0 ok, 1 data/user error, 2 usage error).
 */
import { Command, CommanderError } from 'commander';
import { NanolumError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { clearInputFiles } from '../node/files.js';
import * as commands from './commands/index.js';
import { type CliContext, type CliStreams, createContext } from './context.js';

/** What a command file exports. */
export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

/** Exit codes of the CLI. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/**
 * Build the commander program with the global options and every command in `commands/index.ts`.
 *
 * @example
 * const program = createProgram(createContext({ stdout: process.stdout, stderr: process.stderr }));
 */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('nanolum');
  program
    .description(
      'Photophysics of nanocrystals: read instrument files, fit and simulate, report with uncertainties and units.',
    )
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for the command')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--out <dir>', 'write output files into this directory')
    .option('-q, --quiet', 'no progress bars or warnings')
    .option('--debug', 'show the stack trace of unexpected errors')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .configureOutput({
      writeOut: (s) => ctx.out(s),
      writeErr: (s) => ctx.err(s),
      outputError: (s, write) => write(`nanolum: ${s.replace(/^error: /, '')}`),
    })
    .exitOverride();
  const modules: Record<string, CommandModule> = commands;
  for (const m of Object.values(modules)) m.register(program, ctx);
  return program;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Run the CLI on `argv` (without `node` and the script) and return the exit code. Never calls
 * `process.exit`; errors are printed on `streams.stderr`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(
  argv: string[],
  streams: CliStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const ctx = createContext(streams);
  const program = createProgram(ctx);
  clearInputFiles(); // a new run: its own set of input files not to overwrite
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    return reportError(e, (text) => ctx.err(text), argv.includes('--debug'));
  }
}

/**
 * Print an error the way the CLI does and return its exit code: commander's usage errors 2 (it
 * has printed them already; help and version 0), `NanolumError` 1 with one line
 * `nanolum: <message>`, anything else 1 with the message and a hint to rerun with `--debug`
 * (which prints the stack trace).
 *
 * @example
 * reportError(new InvalidInputError('no column "cnts"'), (t) => process.stderr.write(t), false); // 1
 */
export function reportError(e: unknown, write: (text: string) => void, debug: boolean): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (e instanceof NanolumError) {
    write(`nanolum: ${oneLine(e.message)}\n`);
    return EXIT_ERROR;
  }
  const message = e instanceof Error ? e.message : String(e);
  if (debug && e instanceof Error && e.stack) {
    write(`nanolum: unexpected error: ${e.stack}\n`);
  } else {
    write(
      `nanolum: unexpected error: ${oneLine(message)} (this is a bug; rerun with --debug for the stack trace)\n`,
    );
  }
  return EXIT_ERROR;
}
