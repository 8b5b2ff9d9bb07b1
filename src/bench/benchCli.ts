import { mkdirSync, statSync } from 'node:fs';
import { configFromEnv } from '../config.js';

/**
 * Command-line handling shared by `npm run bench` and `npm run bench:probe`:
 * `--help` prints the usage, and a bad option or value ends the process with
 * one line on stderr (`<command>: error: <what was expected and received>`)
 * and exit code 2, not a stack trace.
 */

/** Prints `usage` and exits 0 when `--help` or `-h` is among the arguments. */
export function helpOrContinue(usage: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage.trimEnd() + '\n');
    process.exit(0);
  }
}

/** Ends the process with `<command>: error: <message>` (and a pointer to --help), exit code 2. */
export function usageError(command: string, message: string): never {
  process.stderr.write(`${command}: error: ${message}\n(${command} --help lists the options)\n`);
  process.exit(2);
}

/**
 * Runs `parse` (e.g. `node:util` `parseArgs`); an error it throws (unknown
 * option, missing value) becomes a {@link usageError}.
 */
export function parseOrExit<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    return usageError(command, (err as Error).message);
  }
}

/**
 * Checks the `RECGATE_*` settings in the environment (they reach the bench
 * servers, `configFromEnv`) before any work starts: a bad value ends the
 * process as a {@link usageError}, not as a server's stack trace minutes later.
 */
export function environmentOrExit(command: string): void {
  try {
    configFromEnv(process.env);
  } catch (err) {
    usageError(command, `environment: ${(err as Error).message}`);
  }
}

/**
 * `dir` as the run's folder (`--dir`): created when missing; anything that is
 * not a folder, or cannot be made one, is a {@link usageError}.
 */
export function benchDirOrExit(command: string, dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    usageError(command, `--dir: cannot use ${dir} as the bench folder (${(err as Error).message})`);
  }
  return dir;
}
