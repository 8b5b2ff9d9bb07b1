import path from 'node:path';
import type { CatalogItem, Interaction } from '../../src/domain/interaction.js';
import { DEFAULT_MAX_BAD_SHARE } from './datasetBuilder.js';
import { DatasetError } from './dataset.js';
import type { BadRowExample, BadRowKind, Dataset, LoadOptions } from './dataset.js';
import { readEventExport } from './readEventExport.js';
import { GENERIC_DEFAULT_RATING_RANGE } from './readGeneric.js';
import { FUTURE_SLACK_MS, MIN_TIMESTAMP_MS, validateInteraction } from './validateInteraction.js';
import type { InteractionRules } from './validateInteraction.js';
import {
  BAD_ROW_KINDS,
  MAX_EXAMPLES,
  ValidationReportBuilder,
  formatBadCounts,
  formatExample,
  formatShare,
} from './validationReportBuilder.js';

/** A feedback row that passed validation, with where it came from (`seq`: its rank in reading order). */
interface KeptRow {
  readonly interaction: Interaction;
  readonly file: string;
  readonly line: number;
  readonly seq: number;
}

/** A bad export row, reported in reading order (`seq`) once every file is read. */
interface BadRow extends BadRowExample {
  readonly seq: number;
  readonly kind: BadRowKind;
}

/**
 * Appends the feedback of event-log exports (`recgate export-events`, or the
 * file event log `var/events.jsonl`) to a loaded dataset, as extra
 * interactions: the `recgate train --events` option.
 *
 * - Only `feedback` records become interactions, with their own type
 *   (`FeedbackType` names are the `InteractionType` names). DISLIKE and
 *   DISMISS stay what they are, so training treats them as in any dataset:
 *   left out of the factorisation and the counts, and marking the item as
 *   dismissed for the user. Impression and served-list records are skipped
 *   and counted in a warning.
 * - Every feedback record is one interaction row in `report`: `rowsRead`,
 *   `rowsKept`, `bad` and `examples` (file base name, 1-based line) add up
 *   with the base dataset's. Checks are those of `validateInteraction` with
 *   the generic timestamp rule (the records' Unix ms) and, for RATING, the
 *   base dataset's scale (`min..max`, any real value: the API takes no step),
 *   or 0..10 when the base has no scale. A repeated `eventId` (exports
 *   overlap: each one holds the whole stream) is a `duplicate`, and so is a
 *   record equal to an earlier row of the base or of the exports (same user,
 *   item, type and timestamp).
 * - The result is sorted by timestamp (Unix ms); on equal timestamps base
 *   rows come first, then export rows in file and line order.
 * - Items not in the base catalog are added without title or categories,
 *   with a warning giving their count (and one more per file summarising
 *   what it held).
 * - `name` becomes `<base name> + <export base names>`, so the training gate
 *   never compares a model with one trained without these events.
 * - A file without feedback records (an export of an empty stream) only adds
 *   a warning.
 * - `eventsReceivedThrough` is the latest `receivedAt` of the feedback records
 *   read (kept, bad or duplicate: the exports cover the event log up to
 *   then); absent when none has one. The manifest records it, and the gateway
 *   replays only feedback received after it (`replayCutoff`).
 *
 * @param files export paths, read in order.
 * @param options `maxBadShare` (default 0.05) applies to the export rows on
 *   their own; `now` (Unix ms, default `Date.now()`) bounds future timestamps.
 * @throws DatasetError (one line) when a file is missing or unreadable, when
 *   every feedback record is bad, or when more than `maxBadShare` of them are.
 */
export async function appendEventExports(
  base: Dataset,
  files: readonly string[],
  options: LoadOptions = {},
): Promise<Dataset> {
  const maxBadShare = options.maxBadShare ?? DEFAULT_MAX_BAD_SHARE;
  const now = options.now ?? Date.now();
  const range = base.ratingScale ?? GENERIC_DEFAULT_RATING_RANGE;
  const rules: InteractionRules = {
    timestampFormat: 'flexible',
    minTimestamp: MIN_TIMESTAMP_MS,
    maxTimestamp: now + FUTURE_SLACK_MS,
    rating: { min: range.min, max: range.max, step: null },
  };
  const report = reportFrom(base);
  const fileNames = files.map((f) => path.basename(f));
  const bad: Record<BadRowKind, number> = {
    missingId: 0,
    badTimestamp: 0,
    valueOutOfRange: 0,
    duplicate: 0,
    malformed: 0,
  };
  // Bad rows are reported once reading is done, in reading order, so the examples come in file order.
  const badRows: BadRow[] = [];
  const kept: KeptRow[] = [];
  const eventIds = new Map<string, string>();
  let rows = 0;
  let receivedThrough = -Infinity;
  for (const filePath of files) {
    const counts = await readEventExport(filePath, {
      feedback(raw, line, file, eventId, receivedAt) {
        const seq = rows++;
        if (receivedAt !== null && receivedAt > receivedThrough) receivedThrough = receivedAt;
        if (eventId !== null) {
          const first = eventIds.get(eventId);
          if (first !== undefined) {
            badRows.push({
              seq,
              kind: 'duplicate',
              file,
              line,
              reason: `repeats eventId ${eventId} of ${first}`,
            });
            return;
          }
          eventIds.set(eventId, `${file}:${line}`);
        }
        const result = validateInteraction(raw, rules);
        if ('kind' in result) badRows.push({ seq, kind: result.kind, file, line, reason: result.reason });
        else kept.push({ interaction: result, file, line, seq });
      },
      malformed(line, reason, file) {
        badRows.push({ seq: rows++, kind: 'malformed', file, line, reason });
      },
    });
    const file = path.basename(filePath);
    const malformed = counts.malformed > 0 ? `, ${counts.malformed} malformed lines` : '';
    const ignored = `${counts.impressions} impression and ${counts.served} served-list records ignored (not interactions)`;
    report.warn(
      counts.feedback === 0
        ? `${file}: no feedback records${malformed}, nothing added; ${ignored}`
        : `${file}: ${counts.feedback} feedback records read${malformed}; ${ignored}`,
    );
  }

  const order = kept
    .map((_, i) => i)
    .sort((a, b) => kept[a]!.interaction.timestamp - kept[b]!.interaction.timestamp);
  const duplicate = markDuplicates(base.interactions, kept, order, badRows);
  badRows.sort((a, b) => a.seq - b.seq);
  for (const b of badRows) {
    bad[b.kind]++;
    report.addBad(b.kind, b.file, b.line, b.reason);
  }
  if (rows > 0) {
    const first = badRows.length === 0 ? '' : `; first: ${formatExample(badRows[0]!)}`;
    const where = fileNames.join(', ');
    if (badRows.length === rows) {
      throw new DatasetError(
        `events: no usable feedback record in ${where}: all ${rows} are bad (${formatBadCounts(bad)})${first}`,
      );
    }
    if (badRows.length / rows > maxBadShare) {
      throw new DatasetError(
        `events: ${badRows.length} of ${rows} feedback records in ${where} are bad ` +
          `(${formatShare(badRows.length / rows)}, more than the ${formatShare(maxBadShare)} allowed): ` +
          `${formatBadCounts(bad)}${first}`,
      );
    }
  }
  report.rowsRead += rows;
  report.rowsKept += rows - badRows.length;

  const items = new Map<string, CatalogItem>(base.items);
  let missing = 0;
  for (const row of kept) {
    const id = row.interaction.itemId;
    if (items.has(id)) continue;
    items.set(id, { id, title: null, categories: [], attributes: {}, createdAt: null, available: true });
    missing++;
  }
  if (missing > 0) {
    report.warn(
      `${missing} items in the feedback of ${fileNames.join(', ')} are not in the ${base.name} catalog; added without title or categories`,
    );
  }
  return {
    name: kept.length > 0 ? `${base.name} + ${fileNames.join(' + ')}` : base.name,
    format: base.format,
    interactions: mergeByTimestamp(
      base.interactions,
      order.filter((i) => duplicate[i] === 0).map((i) => kept[i]!.interaction),
    ),
    items,
    ratingScale: base.ratingScale,
    report: report.build(),
    ...(Number.isFinite(receivedThrough) ? { eventsReceivedThrough: receivedThrough } : {}),
  };
}

/** A report builder holding `base.report`'s counts, examples and warnings. */
function reportFrom(base: Dataset): ValidationReportBuilder {
  const r = new ValidationReportBuilder();
  const b = base.report;
  r.rowsRead = b.rowsRead;
  r.rowsKept = b.rowsKept;
  r.itemRowsRead = b.itemRowsRead;
  r.itemRowsBad = b.itemRowsBad;
  for (const kind of BAD_ROW_KINDS) {
    r.bad[kind] = b.bad[kind];
    r.examples[kind].push(...b.examples[kind].slice(0, MAX_EXAMPLES));
  }
  r.warnings.push(...b.warnings);
  return r;
}

/**
 * Flags kept export rows equal (user, item, type, timestamp) to a base row or
 * to an earlier export row, and adds each to `badRows` as a `duplicate`.
 * `order` lists `kept` indices by timestamp, ties in reading order.
 * @returns 1 per duplicate row of `kept`, by index.
 */
function markDuplicates(
  baseRows: readonly Interaction[],
  kept: readonly KeptRow[],
  order: readonly number[],
  badRows: BadRow[],
): Uint8Array {
  const duplicate = new Uint8Array(kept.length);
  const key = (it: Interaction): string => `${it.userId}\u0000${it.itemId}\u0000${it.type}`;
  for (let start = 0; start < order.length;) {
    const ts = kept[order[start]!]!.interaction.timestamp;
    let end = start + 1;
    while (end < order.length && kept[order[end]!]!.interaction.timestamp === ts) end++;
    const seen = new Map<string, string>();
    for (let j = lowerBound(baseRows, ts); j < baseRows.length && baseRows[j]!.timestamp === ts; j++) {
      seen.set(key(baseRows[j]!), 'a row of the base dataset');
    }
    for (let j = start; j < end; j++) {
      const i = order[j]!;
      const k = key(kept[i]!.interaction);
      const earlier = seen.get(k);
      if (earlier === undefined) seen.set(k, `${kept[i]!.file}:${kept[i]!.line}`);
      else {
        duplicate[i] = 1;
        const { file, line, seq } = kept[i]!;
        badRows.push({
          seq,
          kind: 'duplicate',
          file,
          line,
          reason: `duplicate of ${earlier} (same user, item, type, timestamp)`,
        });
      }
    }
    start = end;
  }
  return duplicate;
}

/** First index of `rows` (sorted by timestamp) whose timestamp is ≥ `ts`. */
function lowerBound(rows: readonly Interaction[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.timestamp < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Merges two timestamp-sorted lists; on equal timestamps rows of `a` come first. */
function mergeByTimestamp(a: readonly Interaction[], b: readonly Interaction[]): Interaction[] {
  const out = new Array<Interaction>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]!.timestamp <= b[j]!.timestamp ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
