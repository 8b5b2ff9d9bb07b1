import { PublicError } from '../errors.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { validateId } from './feedback/validateId.js';
import type { Promotion } from './serviceTypes.js';

/** Most items one promotion may hold. */
export const MAX_PROMOTION_ITEMS = 100;
/** Most surfaces one promotion may name. */
export const MAX_PROMOTION_SURFACES = 100;

/**
 * Admin CRUD of promotions, validated before they reach the store: a
 * non-empty id; 1..100 valid item ids; `positions` (if given) integers ≥ 1,
 * one per item at most; `boost` (if given) finite and > 0; at least one of
 * `positions` and `boost`; `endsAt` after `startsAt`; non-empty surface names.
 * Every problem is a PublicError BAD_USER_INPUT naming the field, what was
 * expected and what was received. The pipeline reads promotions once per request.
 */
export class PromotionService {
  constructor(private readonly options: { readonly store: FeatureStore }) {}

  /** Stores (creates or replaces by id) a validated promotion and returns it. */
  async upsert(promotion: Promotion): Promise<Promotion> {
    const p = validatePromotion(promotion);
    await this.options.store.upsertPromotion(p);
    return p;
  }

  /** @returns whether a promotion with that id existed. */
  async delete(id: string): Promise<boolean> {
    const error = validateId(id, 'id');
    if (error !== null) throw new PublicError('BAD_USER_INPUT', error.message, 'id');
    return this.options.store.deletePromotion(id);
  }

  /** Every stored promotion. */
  list(): Promise<Promotion[]> {
    return this.options.store.listPromotions();
  }
}

/**
 * Checks a promotion and returns a normalised copy (arrays copied, empty `surfaces` = null).
 * @throws PublicError BAD_USER_INPUT naming the field.
 */
export function validatePromotion(p: Promotion): Promotion {
  const fail = (field: string, message: string): never => {
    throw new PublicError('BAD_USER_INPUT', `${field}: ${message}`, field);
  };
  const idError = validateId(p.id, 'id');
  if (idError !== null) fail('id', idError.message);
  if (!Array.isArray(p.itemIds) || p.itemIds.length === 0 || p.itemIds.length > MAX_PROMOTION_ITEMS) {
    fail(
      'itemIds',
      `expected 1..${MAX_PROMOTION_ITEMS} item ids, received ${Array.isArray(p.itemIds) ? p.itemIds.length : String(p.itemIds)}`,
    );
  }
  p.itemIds.forEach((id, k) => {
    const e = validateId(id, `itemIds[${k}]`);
    if (e !== null) fail(`itemIds[${k}]`, e.message);
  });
  if (p.positions !== null && p.positions !== undefined) {
    if (p.positions.length > p.itemIds.length) {
      fail(
        'positions',
        `expected at most one position per item (${p.itemIds.length}), received ${p.positions.length}`,
      );
    }
    p.positions.forEach((pos, k) => {
      if (!Number.isInteger(pos) || pos < 1)
        fail(`positions[${k}]`, `expected an integer ≥ 1, received ${pos}`);
    });
  }
  if (p.boost !== null && p.boost !== undefined && !(Number.isFinite(p.boost) && p.boost > 0)) {
    fail('boost', `expected a finite number > 0, received ${p.boost}`);
  }
  if (
    (p.positions === null || p.positions === undefined || p.positions.length === 0) &&
    (p.boost === null || p.boost === undefined)
  ) {
    fail('positions', 'expected positions or a boost (a promotion must do something), received neither');
  }
  for (const [field, t] of [
    ['startsAt', p.startsAt],
    ['endsAt', p.endsAt],
  ] as const) {
    if (t !== null && t !== undefined && !Number.isFinite(t)) fail(field, `expected a time, received ${t}`);
  }
  if (
    p.startsAt !== null &&
    p.endsAt !== null &&
    p.startsAt !== undefined &&
    p.endsAt !== undefined &&
    !(p.endsAt > p.startsAt)
  ) {
    fail(
      'endsAt',
      `expected a time after startsAt (${new Date(p.startsAt).toISOString()}), received ${new Date(p.endsAt).toISOString()}`,
    );
  }
  if (p.positions !== null && p.positions !== undefined && p.positions.length > 0) {
    const k = p.itemIds.findIndex((id, j) => p.itemIds.indexOf(id) !== j);
    if (k >= 0)
      fail(`itemIds[${k}]`, 'expected each item once in a promotion with positions, received a duplicate');
  }
  if (p.surfaces !== null && p.surfaces !== undefined) {
    if (p.surfaces.length > MAX_PROMOTION_SURFACES) {
      fail('surfaces', `expected at most ${MAX_PROMOTION_SURFACES} surfaces, received ${p.surfaces.length}`);
    }
    p.surfaces.forEach((s, k) => {
      if (typeof s !== 'string' || s.trim() === '' || s.length > 64)
        fail(`surfaces[${k}]`, `expected a surface name of 1..64 characters, received ${JSON.stringify(s)}`);
    });
  }
  return {
    id: p.id,
    itemIds: [...p.itemIds],
    positions: p.positions && p.positions.length > 0 ? [...p.positions] : null,
    boost: p.boost ?? null,
    surfaces: p.surfaces && p.surfaces.length > 0 ? [...p.surfaces] : null,
    startsAt: p.startsAt ?? null,
    endsAt: p.endsAt ?? null,
  };
}
