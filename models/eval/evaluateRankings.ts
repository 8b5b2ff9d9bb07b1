import type { MetricTable } from '../../src/domain/manifest.js';
import { assertCutoff } from './metrics/assertCutoff.js';
import { averagePrecisionAtK } from './metrics/averagePrecisionAtK.js';
import { catalogCoverage } from './metrics/catalogCoverage.js';
import { hitRateAtK } from './metrics/hitRateAtK.js';
import { intraListDiversity } from './metrics/intraListDiversity.js';
import { ndcgAtK } from './metrics/ndcgAtK.js';
import { novelty } from './metrics/novelty.js';
import { precisionAtK } from './metrics/precisionAtK.js';
import { recallAtK } from './metrics/recallAtK.js';
import { reciprocalRank } from './metrics/reciprocalRank.js';

/** Cut-offs reported by default (evaluation.md: "at k = 10 and 20"). */
export const DEFAULT_KS: readonly number[] = [10, 20];

/**
 * Input of {@link evaluateRankings}.
 * - `lists`: user → ranked item ids, best first, **already excluding** the user's training items
 *   (full ranking); ids distinct. At least max(ks) long to be judged fairly.
 * - `relevant`: user → relevant test items (from `relevantItems`).
 * - `ks`: cut-offs, positive integers. @default [10, 20]
 * - `catalogSize`: number of recommendable items, the denominator of coverage.
 * - `categoriesOf`: item id → category labels; without it `diversity@k` is not reported.
 * - `popularityShare`: item id → share in (0, 1] (from `popularityShareFrom`); without it
 *   `novelty@k` is not reported.
 * - `users`: evaluate only these users (e.g. warm or cold-start users). @default every user of `relevant`
 */
export interface EvaluateRankingsInput {
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly relevant: ReadonlyMap<string, ReadonlySet<string>>;
  readonly ks?: readonly number[];
  readonly catalogSize: number;
  readonly categoriesOf?: (itemId: string) => readonly string[];
  readonly popularityShare?: (itemId: string) => number;
  readonly users?: Iterable<string>;
}

const NO_ITEMS: readonly string[] = [];

/**
 * Averages the metrics of evaluation.md over users, for one model on one split.
 *
 * Evaluated users: those of `users` (or of `relevant` when `users` is absent) with at least one
 * relevant item; every per-user metric is a plain mean over them. A user missing from `lists`
 * gets an empty list, so **every** per-user metric is 0 for them (accuracy, diversity and
 * novelty alike). Lists of fewer than 2 items have diversity 0.
 *
 * @returns a flat table keyed, for each k in `ks`: `ndcg@k`, `recall@k`, `precision@k`,
 *   `mrr@k` (mean `reciprocalRank`), `map@k` (mean `averagePrecisionAtK`), `hitrate@k`,
 *   `coverage@k` (catalog coverage of the evaluated users' top-k lists), `diversity@k` (mean
 *   `intraListDiversity`, only with `categoriesOf`), `novelty@k` (mean `novelty` in bits, only
 *   with `popularityShare`); and `users`, the number evaluated. With 0 users every metric is 0.
 *   Cost O(users · Σk); 600 users × 20 items takes a few ms.
 * @throws RangeError for an empty `ks`, a `k` that is not a positive integer, a `catalogSize` that
 *   is not a positive integer, or a popularity share outside (0, 1].
 */
export function evaluateRankings(input: EvaluateRankingsInput): MetricTable {
  const { lists, categoriesOf, popularityShare, catalogSize } = input;
  const ks = input.ks ?? DEFAULT_KS;
  if (ks.length === 0) throw new RangeError('ks must list at least one cut-off, got []');
  for (const k of ks) assertCutoff(k);

  const evaluated = evaluatedUsers(input);
  const count = evaluated.length;
  const mean = (sum: number): number => (count === 0 ? 0 : sum / count);
  const table: MetricTable = {};
  for (const k of ks) {
    let ndcg = 0;
    let recall = 0;
    let precision = 0;
    let mrr = 0;
    let map = 0;
    let hitRate = 0;
    let diversity = 0;
    let noveltySum = 0;
    const topLists: (readonly string[])[] = [];
    for (const [user, relevant] of evaluated) {
      const ranked = lists.get(user) ?? NO_ITEMS;
      ndcg += ndcgAtK(ranked, relevant, k);
      recall += recallAtK(ranked, relevant, k);
      precision += precisionAtK(ranked, relevant, k);
      mrr += reciprocalRank(ranked, relevant, k);
      map += averagePrecisionAtK(ranked, relevant, k);
      hitRate += hitRateAtK(ranked, relevant, k);
      const top = ranked.length > k ? ranked.slice(0, k) : ranked;
      topLists.push(top);
      if (categoriesOf !== undefined) diversity += intraListDiversity(top, categoriesOf);
      if (popularityShare !== undefined) noveltySum += novelty(top, popularityShare);
    }
    table[`ndcg@${k}`] = mean(ndcg);
    table[`recall@${k}`] = mean(recall);
    table[`precision@${k}`] = mean(precision);
    table[`mrr@${k}`] = mean(mrr);
    table[`map@${k}`] = mean(map);
    table[`hitrate@${k}`] = mean(hitRate);
    table[`coverage@${k}`] = catalogCoverage(topLists, catalogSize);
    if (categoriesOf !== undefined) table[`diversity@${k}`] = mean(diversity);
    if (popularityShare !== undefined) table[`novelty@${k}`] = mean(noveltySum);
  }
  table.users = count;
  return table;
}

/** The distinct users to evaluate, each with their non-empty relevant set, in input order. */
function evaluatedUsers(input: EvaluateRankingsInput): [string, ReadonlySet<string>][] {
  const result: [string, ReadonlySet<string>][] = [];
  if (input.users === undefined) {
    for (const [user, relevant] of input.relevant) if (relevant.size > 0) result.push([user, relevant]);
    return result;
  }
  const seen = new Set<string>();
  for (const user of input.users) {
    if (seen.has(user)) continue;
    seen.add(user);
    const relevant = input.relevant.get(user);
    if (relevant !== undefined && relevant.size > 0) result.push([user, relevant]);
  }
  return result;
}
