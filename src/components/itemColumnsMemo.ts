import { checkedRow, rowHintsUsable } from '../pipeline/candidate.js';
import type { Candidate, CandidateRowIndex } from '../pipeline/candidate.js';
import { emptyItemColumns } from '../stores/itemColumnReads.js';
import type { ItemColumns } from '../stores/itemColumnReads.js';
import type { RecommendationQuery } from './recommendationQuery.js';

/** The query memo key of the last column read of the candidates. */
const MEMO_KEY = 'itemColumns';

interface RememberedColumns {
  readonly candidates: readonly Candidate[];
  readonly columns: ItemColumns;
  readonly modelRows: Int32Array;
}

/** A column read of candidates and their rows in the served model (-1: unknown to it). */
export interface CandidateColumns {
  readonly columns: ItemColumns;
  readonly modelRows: Int32Array;
}

/** The two fields of a served model (`ModelBundle`) that map item ids to its rows. */
export type ModelRowIndex = CandidateRowIndex;

/**
 * The row of candidate `c` in `bundle` (the served model of the query that
 * built it), -1 when the model does not know the item: its source's hint
 * `c.row` when `bundle.itemIds[c.row]` is `c.itemId` (one string comparison,
 * usually of the same string object), else `bundle.itemIndex.get(c.itemId)`.
 * A wrong, out-of-range or stale hint (from another model) therefore gives
 * the same row as no hint; only a hinted candidate skips the lookup (issue
 * #6: ~500 string-keyed lookups per request). Hints are not used when the
 * model's ids repeat one (`itemIndex.size < itemIds.length`): the index
 * answers an id's last row, a hint may name an earlier one.
 */
export function candidateModelRow(bundle: ModelRowIndex, c: Candidate): number {
  return checkedRow(bundle, c.itemId, c.row, rowHintsUsable(bundle));
}

/** Per candidate, {@link candidateModelRow}: entry j is the row of `candidates[j]` in `bundle`, -1 when absent. */
export function candidateModelRows(bundle: ModelRowIndex, candidates: readonly Candidate[]): Int32Array {
  const n = candidates.length;
  const rows = new Int32Array(n);
  const usable = rowHintsUsable(bundle);
  for (let j = 0; j < n; j++) {
    const c = candidates[j]!;
    rows[j] = checkedRow(bundle, c.itemId, c.row, usable);
  }
  return rows;
}

/**
 * Keeps a column read of `candidates` (entry j is `candidates[j]`), with
 * their rows in the served model, on the query, for a later stage that reads
 * the same items: the `unavailable`
 * filter's read, with the counters, serves the `itemFeatures` hydrator
 * (issue #6: each read of ~500 items is ~500 catalog and counter lookups,
 * mostly cache misses). The later stage gets it through
 * {@link recallItemColumns}; a write to the store in between is not seen,
 * as with the request's loaders, whose reads are cached for the request too.
 */
export function rememberItemColumns(
  q: RecommendationQuery,
  candidates: readonly Candidate[],
  read: CandidateColumns,
): void {
  q.memo.set(MEMO_KEY, {
    candidates,
    columns: read.columns,
    modelRows: read.modelRows,
  } satisfies RememberedColumns);
}

/**
 * The remembered column read and model rows ({@link rememberItemColumns}) for `candidates`,
 * when they are the remembered candidates or a subsequence of them (the same
 * objects in the same order, as later filters leave them): the columns of
 * those entries, in `candidates` order. Null when nothing was remembered or
 * a candidate is not among the remembered ones in that order (then read again).
 */
export function recallItemColumns(
  q: RecommendationQuery,
  candidates: readonly Candidate[],
): CandidateColumns | null {
  const kept = q.memo.get(MEMO_KEY) as RememberedColumns | undefined;
  if (kept === undefined) return null;
  const from = kept.candidates;
  if (from === candidates) return { columns: kept.columns, modelRows: kept.modelRows };
  const n = candidates.length;
  const at = new Int32Array(n);
  let i = 0;
  for (let j = 0; j < n; j++) {
    const c = candidates[j];
    while (i < from.length && from[i] !== c) i++;
    if (i === from.length) return null;
    at[j] = i++;
  }
  const modelRows = new Int32Array(n);
  for (let j = 0; j < n; j++) modelRows[j] = kept.modelRows[at[j]!]!;
  return { columns: selectItemColumns(kept.columns, at), modelRows };
}

/** The entries `at[0]`, `at[1]`… of `columns`, as new columns of `at.length` entries. */
export function selectItemColumns(columns: ItemColumns, at: Int32Array): ItemColumns {
  const out = emptyItemColumns(at.length);
  for (let j = 0; j < at.length; j++) {
    const i = at[j]!;
    out.known[j] = columns.known[i]!;
    out.available[j] = columns.available[i]!;
    out.createdAt[j] = columns.createdAt[i]!;
    out.categories[j] = columns.categories[i]!;
    out.hasCounters[j] = columns.hasCounters[i]!;
    out.popularity[j] = columns.popularity[i]!;
    out.trend[j] = columns.trend[i]!;
  }
  return out;
}
