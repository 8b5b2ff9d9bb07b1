import type { CatalogItem } from '../../src/domain/interaction.js';
import type { MetricTable } from '../../src/domain/manifest.js';
import { evaluateRankings } from '../eval/evaluateRankings.js';
import type { ModelBundle, RowScorer, UserState } from './modelBundle.js';
import { rankUsers } from './rankUsers.js';
import type { TrainConfig } from './trainConfig.js';

/** The three compared models. */
export const COMPARED_MODELS = ['mostPop', 'retrieval', 'twoStage'] as const;

/** Metrics per compared model. */
export type ComparedMetrics = Record<(typeof COMPARED_MODELS)[number], MetricTable>;

/** Result of {@link evaluateTwoStage}: warm users and cold-start users reported apart. */
export interface TwoStageEvaluation {
  readonly warm: ComparedMetrics;
  readonly coldStart: ComparedMetrics;
  readonly warmUsers: number;
  readonly coldStartUsers: number;
}

/**
 * Evaluates MostPop, retrieval alone and the two-stage pipeline on held-out
 * relevant items with full ranking at k = 10 and 20 (evaluation.md).
 * Users with no training interaction are cold-start users, reported apart.
 * @param relevant user id → held-out relevant item ids (training items excluded).
 * @param popularityShare item id → share of training interactions (novelty).
 */
export async function evaluateTwoStage(
  bundle: ModelBundle,
  states: ReadonlyMap<string, UserState>,
  scorer: RowScorer,
  relevant: ReadonlyMap<string, ReadonlySet<string>>,
  catalog: ReadonlyMap<string, CatalogItem>,
  popularityShare: (itemId: string) => number,
  config: TrainConfig,
): Promise<TwoStageEvaluation> {
  const users = [...relevant.keys()].filter((u) => (relevant.get(u)?.size ?? 0) > 0).sort();
  const warm = users.filter((u) => states.has(u));
  const cold = users.filter((u) => !states.has(u));
  const lists = await rankUsers(bundle, states, users, scorer, config, 20);
  const categoriesOf = (id: string): readonly string[] => catalog.get(id)?.categories ?? [];
  const table = (subset: string[]): ComparedMetrics => {
    const out = {} as ComparedMetrics;
    for (const model of COMPARED_MODELS) {
      out[model] = evaluateRankings({
        lists: lists[model],
        relevant,
        catalogSize: bundle.itemIds.length,
        categoriesOf,
        popularityShare,
        users: subset,
      });
    }
    return out;
  };
  return { warm: table(warm), coldStart: table(cold), warmUsers: warm.length, coldStartUsers: cold.length };
}
