/**
 * Whether masked errors carry their stack trace to the client
 * (`extensions.stacktrace`): only with the explicit `RECGATE_DEBUG=1`, in any
 * `NODE_ENV`; any other value, or none, is off. The same switch makes the
 * command line print stacks (src/cli.ts).
 */
export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return env['RECGATE_DEBUG']?.trim() === '1';
}
