import { ALL_PROMOTIONS } from '../loaders/promotionsLoader.js';
import type { Promotion } from '../services/serviceTypes.js';
import type { RecommendationQuery } from './recommendationQuery.js';

/**
 * Whether a promotion applies on `surface` at Unix ms `now`: inside
 * [startsAt, endsAt) (null = open-ended) and listing the surface (null or
 * empty = every surface).
 */
export function isPromotionActive(p: Promotion, surface: string, now: number): boolean {
  if (p.startsAt !== null && now < p.startsAt) return false;
  if (p.endsAt !== null && now >= p.endsAt) return false;
  return p.surfaces === null || p.surfaces.length === 0 || p.surfaces.includes(surface);
}

/** The promotions active for the query's surface and time, read once per request (ordered by id). */
export async function activePromotions(query: RecommendationQuery): Promise<Promotion[]> {
  const key = 'activePromotions';
  let v = query.memo.get(key) as Promise<Promotion[]> | undefined;
  if (v === undefined) {
    v = query.env.loaders.promotions
      .load(ALL_PROMOTIONS)
      .then((all) =>
        (all ?? [])
          .filter((p) => isPromotionActive(p, query.surface, query.now))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      );
    query.memo.set(key, v);
  }
  return v;
}
