/**
 * One line describing an error for the CLI: its message with newlines
 * folded, without a stack trace; unexpected error types say how to get one.
 */
export function describeCliError(err: unknown): string {
  if (err instanceof Error) {
    const expected = [
      'DatasetError',
      'SplitSpecError',
      'RegistryError',
      'ExperimentConfigError',
      'ModelLoadError',
      'RangeError',
    ].includes(err.name);
    const message = err.message.replace(/\s*\n\s*/g, ' ');
    return expected ? message : `${message} (set RECGATE_DEBUG=1 for the stack trace)`;
  }
  return String(err);
}
