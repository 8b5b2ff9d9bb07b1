import { MAX_PROMOTION_ITEMS, MAX_PROMOTION_SURFACES } from '../../services/promotionService.js';
import type { Promotion } from '../../services/serviceTypes.js';
import { badUserInput } from './badUserInput.js';
import { optionalDateTime } from './parseDateTime.js';
import { requireIdList } from './requireIdList.js';
import { requireId } from './requireId.js';
import { requireShortString } from './requireShortString.js';

/** The GraphQL `PromotionInput` as graphql-js hands it over. */
export interface PromotionArgument {
  readonly id: string;
  readonly itemIds: readonly string[];
  readonly positions?: readonly number[] | null;
  readonly boost?: number | null;
  readonly surfaces?: readonly string[] | null;
  readonly startsAt?: string | null;
  readonly endsAt?: string | null;
}

/**
 * Checks a `PromotionInput` and converts it for the engine. Rules: a valid id;
 * 1..100 valid item ids (`MAX_PROMOTION_ITEMS`); exactly one of `positions`
 * (one 1-based position per item, rank across pages; no item id twice) and
 * `boost` (finite, > 0); at most 100 short surface names; `endsAt` later than
 * `startsAt`.
 * @param argument the argument name (`input`).
 * @throws PublicError BAD_USER_INPUT naming the field, e.g. `input.positions`.
 */
export function toPromotion(input: PromotionArgument, argument = 'input'): Promotion {
  const id = requireId(input.id, `${argument}.id`);
  const itemIds = requireIdList(input.itemIds, `${argument}.itemIds`);
  if (itemIds.length === 0 || itemIds.length > MAX_PROMOTION_ITEMS) {
    throw badUserInput(`${argument}.itemIds`, `hold 1..${MAX_PROMOTION_ITEMS} item IDs`, itemIds);
  }
  const positions = input.positions ?? null;
  const boost = input.boost ?? null;
  if ((positions === null) === (boost === null)) {
    throw badUserInput(
      argument,
      'set exactly one of `positions` and `boost`',
      positions === null ? 'neither' : 'both',
    );
  }
  if (positions !== null) {
    if (positions.length !== itemIds.length) {
      throw badUserInput(
        `${argument}.positions`,
        `hold one position per item ID (${itemIds.length})`,
        positions,
      );
    }
    positions.forEach((p, i) => {
      if (!Number.isInteger(p) || p < 1) throw badUserInput(`${argument}.positions[${i}]`, 'be 1 or more', p);
    });
    const seen = new Set<string>();
    itemIds.forEach((itemId, i) => {
      if (seen.has(itemId)) {
        throw badUserInput(
          `${argument}.itemIds[${i}]`,
          'name each item once when `positions` is set',
          itemId,
        );
      }
      seen.add(itemId);
    });
  }
  if (boost !== null && (!Number.isFinite(boost) || boost <= 0)) {
    throw badUserInput(`${argument}.boost`, 'be a finite number greater than 0', boost);
  }
  if (input.surfaces && input.surfaces.length > MAX_PROMOTION_SURFACES) {
    throw badUserInput(
      `${argument}.surfaces`,
      `hold at most ${MAX_PROMOTION_SURFACES} surfaces`,
      input.surfaces,
    );
  }
  input.surfaces?.forEach((s, i) => requireShortString(s, `${argument}.surfaces[${i}]`));
  const startsAt = optionalDateTime(input.startsAt, `${argument}.startsAt`);
  const endsAt = optionalDateTime(input.endsAt, `${argument}.endsAt`);
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    throw badUserInput(`${argument}.endsAt`, 'be later than `startsAt`', input.endsAt);
  }
  return { id, itemIds, positions, boost, surfaces: input.surfaces ?? null, startsAt, endsAt };
}
