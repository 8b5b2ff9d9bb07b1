/**
 * Whether the server allows schema introspection (`__schema`, `__type`):
 * `RECGATE_INTROSPECTION=true` or `false` (case-insensitive); unset or blank,
 * on unless `NODE_ENV=production`. GraphiQL's docs and autocompletion need
 * it; with it off, error messages also stop suggesting field names ("Did you
 * mean …"), so they do not reveal the schema either.
 * @throws RangeError naming the variable for any other value.
 */
export function introspectionEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const raw = env['RECGATE_INTROSPECTION']?.trim() ?? '';
  if (raw === '') return env['NODE_ENV']?.trim() !== 'production';
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new RangeError(`RECGATE_INTROSPECTION: expected "true" or "false", received ${JSON.stringify(raw)}`);
}
