import { PublicError } from '../../src/errors.js';
import type { MutationResolvers } from '../../src/generated/graphql.js';
import type { ItemUpsert } from '../../src/services/gateway.js';
import type { UserError } from '../../src/services/serviceTypes.js';
import { LIMITS } from '../../src/server/limits.js';
import { requireAdmin } from '../../src/server/requireAdmin.js';
import { badUserInput } from '../../src/server/validation/badUserInput.js';
import { toItemUpsert } from '../../src/server/validation/toItemUpsert.js';
import { toUserError } from '../../src/server/validation/toUserError.js';

/**
 * `Mutation.upsertItems` (admin): malformed items are reported in `errors`
 * (field `items[i]…`, `i` the index in the request) and skipped; the rest go
 * to the engine in one call, whose errors are renumbered to the request's
 * indexes. `errors` lists them in request order.
 * @throws PublicError FORBIDDEN without the admin token; BAD_USER_INPUT
 *   naming `items` for more than 1000 items.
 */
export const upsertItems: NonNullable<MutationResolvers['upsertItems']> = async (_parent, args, ctx) => {
  requireAdmin(ctx.admin, 'upsertItems');
  if (args.items.length > LIMITS.maxBatch) {
    throw badUserInput('items', `hold at most ${LIMITS.maxBatch} items`, args.items);
  }
  const valid: ItemUpsert[] = [];
  /** `positions[k]` = the index in `args.items` of `valid[k]`. */
  const positions: number[] = [];
  const errors: UserError[] = [];
  for (const [i, input] of args.items.entries()) {
    try {
      valid.push(toItemUpsert(input, `items[${i}]`));
      positions.push(i);
    } catch (err) {
      if (!(err instanceof PublicError)) throw err;
      errors.push(toUserError(err));
    }
  }
  const result = valid.length > 0 ? await ctx.gateway.upsertItems(valid) : { upserted: 0, errors: [] };
  // The engine numbers items within `valid`: name them by their index in the request.
  const renumbered = result.errors.map((e) => ({
    ...e,
    field:
      e.field?.replace(/^items\[(\d+)\]/, (_, k: string) => `items[${positions[Number(k)] ?? k}]`) ?? null,
  }));
  // In request order, whichever check found them (stable: one item's errors keep their order).
  const index = (e: UserError): number =>
    Number(/^items\[(\d+)\]/.exec(e.field ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
  const all = [...errors, ...renumbered].sort((a, b) => index(a) - index(b));
  return { upserted: result.upserted, errors: all };
};
