/**
 * `NAME=value ` for each RECGATE_* setting in this environment that reaches
 * the bench servers (sorted), as a shell prefix: values single-quoted when
 * they hold anything but letters, digits and `._,:/=+-`; secrets (a name with
 * TOKEN, KEY, SECRET or PASSWORD) and the event log file the bench sets
 * itself are left out.
 */
export function recgateSettings(env: NodeJS.ProcessEnv): string {
  // Set by the bench for its servers, or secrets: never printed.
  const unprinted = /^RECGATE_(EVENT_LOG_FILE|.*(TOKEN|KEY|SECRET|PASSWORD).*)$/;
  return Object.keys(env)
    .filter((k) => k.startsWith('RECGATE_') && !unprinted.test(k))
    .sort()
    .map((k) => {
      const v = env[k] ?? '';
      return `${k}=${/^[\w.,:/=+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`} `;
    })
    .join('');
}
