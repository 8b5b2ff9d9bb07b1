import type { CatalogItem, Interaction, RatingScale } from '../../src/domain/interaction.js';

/** Supported input formats for `recgate train --format`. */
export const DATASET_FORMATS = ['movielens', 'ml100k', 'ml1m', 'movietweetings', 'generic'] as const;

/** One of {@link DATASET_FORMATS}. */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Kinds of bad rows the validation step counts (see {@link ValidationReport}). */
export type BadRowKind = 'missingId' | 'badTimestamp' | 'valueOutOfRange' | 'duplicate' | 'malformed';

/** One bad row, kept for the first few of each kind. `line` is 1-based in `file`. */
export interface BadRowExample {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * Result of the data-validation step.
 * - `rowsRead`: data rows seen across interaction files (headers excluded).
 * - `rowsKept`: rows that became {@link Interaction}s.
 * - `bad`: count per kind; `examples`: the first few (at most 5) per kind.
 * - `itemRowsRead` / `itemRowsBad`: the same for item (catalog) files.
 */
export interface ValidationReport {
  rowsRead: number;
  rowsKept: number;
  bad: Record<BadRowKind, number>;
  examples: Record<BadRowKind, BadRowExample[]>;
  itemRowsRead: number;
  itemRowsBad: number;
  warnings: string[];
}

/**
 * A loaded, validated dataset.
 * - `interactions`: sorted by timestamp ascending (ties keep file order).
 * - `items`: catalog keyed by item id; every interacted item is present
 *   (items missing from the item file are added with no title or categories).
 * - `ratingScale`: set for explicit-rating datasets, `null` for implicit ones.
 */
export interface Dataset {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly interactions: readonly Interaction[];
  readonly items: ReadonlyMap<string, CatalogItem>;
  readonly ratingScale: RatingScale | null;
  readonly report: ValidationReport;
  /**
   * Unix ms: the latest `receivedAt` of the event-log feedback appended by
   * `LoadOptions.events` (`appendEventExports`); absent when no export with
   * feedback was appended (the dataset holds no live feedback).
   */
  readonly eventsReceivedThrough?: number;
}

/**
 * Options for loading a dataset.
 * - `maxBadShare`: fail when more than this share (0..1) of interaction rows
 *   is bad (checked for the dataset's files and, separately, for the rows of
 *   `events`). @default 0.05
 * - `now`: Unix ms used to reject timestamps in the future. @default Date.now()
 * - `events`: paths of event-log exports (JSON Lines `EventRecord`s, as
 *   written by `recgate export-events` or the file event log) whose feedback
 *   records `loadDataset` appends as interactions (`appendEventExports.ts`).
 *   Only `loadDataset` reads it; the per-format readers ignore it. @default []
 */
export interface LoadOptions {
  readonly maxBadShare?: number;
  readonly now?: number;
  readonly events?: readonly string[];
}

/**
 * Thrown when a dataset cannot be used: a missing file, more bad rows than
 * allowed, or nothing usable left. `message` is one line meant for the user;
 * the CLI prints it without a stack trace and exits 1.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
