import type { RequestContextInput } from '../../services/serviceTypes.js';
import { optionalDateTime } from './parseDateTime.js';
import { optionalShortString } from './requireShortString.js';

/** The GraphQL `RequestContext` input as graphql-js hands it over (timestamp still RFC 3339). */
export interface RequestContextArgument {
  readonly device?: string | null;
  readonly locale?: string | null;
  readonly country?: string | null;
  readonly timestamp?: string | null;
}

/**
 * Validates a `RequestContext` argument and parses its timestamp to Unix ms.
 * @param argument the argument path (`context`, `input.context`), used in error messages.
 * @returns the engine's context, or `null` when there is none.
 * @throws PublicError BAD_USER_INPUT naming the offending field, e.g. `context.timestamp`.
 */
export function toRequestContextInput(
  context: RequestContextArgument | null | undefined,
  argument = 'context',
): RequestContextInput | null {
  if (context === null || context === undefined) return null;
  return {
    device: optionalShortString(context.device, `${argument}.device`),
    locale: optionalShortString(context.locale, `${argument}.locale`),
    country: optionalShortString(context.country, `${argument}.country`),
    timestamp: optionalDateTime(context.timestamp, `${argument}.timestamp`),
  };
}
