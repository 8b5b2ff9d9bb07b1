/**
 * A progress logger for long CLI commands: writes each line to stderr
 * prefixed with the seconds elapsed since the logger was created, so stdout
 * stays clean for tables and JSON. Multi-line messages are indented.
 */
export function progressLog(options: { quiet?: boolean } = {}): (message: string) => void {
  const start = performance.now();
  return (message) => {
    if (options.quiet) return;
    const t = ((performance.now() - start) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${t}s] ${message.split('\n').join('\n          ')}\n`);
  };
}
