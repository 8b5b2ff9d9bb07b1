import type { QueryResolvers } from '../../src/generated/graphql.js';
import { LIMITS } from '../../src/server/limits.js';
import { badUserInput } from '../../src/server/validation/badUserInput.js';
import { requirePageSize } from '../../src/server/validation/requirePageSize.js';
import { optionalId } from '../../src/server/validation/requireId.js';
import { requireIdList } from '../../src/server/validation/requireIdList.js';
import { requireShortString } from '../../src/server/validation/requireShortString.js';
import { toItemFilter } from '../../src/server/validation/toItemFilter.js';
import { toRequestContextInput } from '../../src/server/validation/toRequestContextInput.js';

/**
 * `Query.recommendations`: validates the arguments (`first` 1..100, ids,
 * list sizes, an opaque `after` of bounded length, RFC 3339 times) and asks
 * the engine for one page of the ranked list.
 * @throws PublicError BAD_USER_INPUT naming the argument; the engine's
 *   PublicErrors (e.g. an expired cursor) pass through.
 */
export const recommendations: NonNullable<QueryResolvers['recommendations']> = (_parent, args, ctx) => {
  const { after } = args;
  if (
    after !== null &&
    after !== undefined &&
    (after.length === 0 || after.length > LIMITS.maxCursorLength)
  ) {
    throw badUserInput(
      'after',
      `be the \`pageInfo.endCursor\` of a previous page (1..${LIMITS.maxCursorLength} characters)`,
      after,
    );
  }
  return ctx.gateway.recommendations(
    {
      userId: optionalId(args.userId, 'userId'),
      sessionItemIds: requireIdList(args.sessionItemIds ?? [], 'sessionItemIds'),
      surface: requireShortString(args.surface ?? 'home', 'surface'),
      first: requirePageSize(args.first, 'first'),
      after: after ?? null,
      filter: toItemFilter(args.filter, 'filter'),
      context: toRequestContextInput(args.context, 'context'),
    },
    ctx.scope,
  );
};
