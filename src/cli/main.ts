#!/usr/bin/env node
/**
 * Entry point of the `nanolum` command (package bin: dist/cli/main.js).
 */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
