import { GraphQLScalarType, Kind } from 'graphql';
import { keepSdlDescription } from './keepSdlDescription.js';
import { rfc3339ToMillis } from '../../src/server/validation/parseDateTime.js';

const EXPECTED = 'DateTime must be an RFC 3339 string such as "2026-11-29T10:00:00Z"';

/**
 * `DateTime`: RFC 3339 strings on the wire, Unix ms inside.
 * - Output: Unix ms (what the engine returns), a `Date` or an RFC 3339 string,
 *   serialised as UTC with milliseconds (`2026-11-29T10:00:00.000Z`). Anything
 *   else (NaN, a non-date string) is an internal error (masked).
 * - Input: must be a string; the resolvers parse it with `parseDateTime`, so a
 *   malformed string is a BAD_USER_INPUT error naming the argument rather than
 *   a generic coercion error.
 */
export const dateTimeScalar = keepSdlDescription(
  new GraphQLScalarType<string, string>({
    name: 'DateTime',
    serialize(value) {
      const ms =
        typeof value === 'number'
          ? value
          : value instanceof Date
            ? value.getTime()
            : typeof value === 'string'
              ? (rfc3339ToMillis(value) ?? Number.NaN)
              : Number.NaN;
      if (!Number.isFinite(ms)) throw new TypeError(`DateTime cannot represent ${String(value)}`);
      return new Date(ms).toISOString();
    },
    parseValue(value) {
      if (typeof value !== 'string') throw new TypeError(`${EXPECTED}; received ${typeof value}.`);
      return value;
    },
    parseLiteral(ast) {
      if (ast.kind !== Kind.STRING) throw new TypeError(`${EXPECTED}; received a ${ast.kind} literal.`);
      return ast.value;
    },
  }),
);
