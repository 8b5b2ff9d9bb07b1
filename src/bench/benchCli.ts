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
