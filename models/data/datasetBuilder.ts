import type { CatalogItem, Interaction, RatingScale } from '../../src/domain/interaction.js';
import { DatasetError } from './dataset.js';
import type { Dataset, DatasetFormat, LoadOptions } from './dataset.js';
import type { TimestampFormat } from './parseTimestamp.js';
import { FUTURE_SLACK_MS, MIN_TIMESTAMP_MS, validateInteraction } from './validateInteraction.js';
import type { InteractionRules, RawInteraction } from './validateInteraction.js';
import { ValidationReportBuilder, formatBadCounts, formatExample, formatShare } from './validationReportBuilder.js';

/** Default for {@link LoadOptions.maxBadShare}. */
export const DEFAULT_MAX_BAD_SHARE = 0.05;

/**
 * Per-format settings of a {@link DatasetBuilder}.
 * - `name`: dataset name (usually the folder's base name).
 * - `ratingScale`: returned as `Dataset.ratingScale` (`null` = implicit).
 * - `rating`: accepted RATING values (inclusive) and step (`null` = any real).
 * - `timestampFormat`: how interaction timestamps are written.
 */
export interface DatasetBuilderConfig {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly ratingScale: RatingScale | null;
  readonly rating: InteractionRules['rating'];
  readonly timestampFormat: TimestampFormat;
}

/**
 * The validation and assembly step shared by every reader. Readers feed it
 * rows in file order; it validates them ({@link validateInteraction}), drops
 * duplicates (same user, item, type and timestamp; the first is kept),
 * counts every bad row in a {@link ValidationReportBuilder}, and
 * {@link DatasetBuilder.finish} applies the bad-share limit and builds the
 * {@link Dataset}.
 *
 * @throws RangeError from the constructor when `options.maxBadShare` is not
 *   in [0, 1] or `options.now` is not finite.
 */
export class DatasetBuilder {
  /** The report being accumulated; readers may add warnings to it. */
  readonly report = new ValidationReportBuilder();
  private readonly rules: InteractionRules;
  private readonly maxBadShare: number;
  /** Valid rows in input order, with the file and line each came from. */
  private readonly interactions: Interaction[] = [];
  private readonly lines: number[] = [];
  private readonly files: string[] = [];
  private readonly items = new Map<string, CatalogItem>();
  private readonly itemLines = new Map<string, number>();
  private readonly interactionFiles = new Set<string>();
  private readonly itemFiles = new Set<string>();
  private valuesIgnored = 0;

  constructor(
    private readonly config: DatasetBuilderConfig,
    options: LoadOptions = {},
  ) {
    const maxBadShare = options.maxBadShare ?? DEFAULT_MAX_BAD_SHARE;
    if (!(maxBadShare >= 0 && maxBadShare <= 1)) {
      throw new RangeError(`maxBadShare must be in [0, 1], got ${maxBadShare}`);
    }
    const now = options.now ?? Date.now();
    if (!Number.isFinite(now)) throw new RangeError(`now must be a finite Unix ms time, got ${now}`);
    this.maxBadShare = maxBadShare;
    this.rules = {
      timestampFormat: config.timestampFormat,
      minTimestamp: MIN_TIMESTAMP_MS,
      maxTimestamp: now + FUTURE_SLACK_MS,
      rating: config.rating,
    };
  }

  /**
   * Validates one interaction row of `file` (base name) at 1-based `line` and
   * keeps it if valid. Duplicates are found in {@link DatasetBuilder.finish}.
   */
  addInteraction(file: string, line: number, raw: RawInteraction): void {
    this.interactionFiles.add(file);
    this.report.rowsRead++;
    const result = validateInteraction(raw, this.rules);
    if ('kind' in result) {
      this.report.addBad(result.kind, file, line, result.reason);
      return;
    }
    if (result.value === null && raw.value !== null && raw.value !== '' && result.type !== 'VIEW') {
      this.valuesIgnored++;
    }
    this.interactions.push(result);
    this.lines.push(line);
    this.files.push(file);
  }

  /** Counts an interaction row that could not be split into fields (wrong column count, bad JSON, bad quoting). */
  addMalformed(file: string, line: number, reason: string): void {
    this.interactionFiles.add(file);
    this.report.rowsRead++;
    this.report.addBad('malformed', file, line, reason);
  }

  /** Adds a catalog item read from `file` at `line`; a repeated id is a bad item row (the first is kept). */
  addItem(file: string, line: number, item: CatalogItem): void {
    this.itemFiles.add(file);
    this.report.itemRowsRead++;
    const firstLine = this.itemLines.get(item.id);
    if (firstLine !== undefined) {
      this.report.addBadItem(file, line, `duplicate item id ${JSON.stringify(item.id)} (first on line ${firstLine})`);
      return;
    }
    this.itemLines.set(item.id, line);
    this.items.set(item.id, item);
  }

  /** Counts an item row that is skipped (malformed, missing id, bad field). */
  addBadItem(file: string, line: number, reason: string): void {
    this.itemFiles.add(file);
    this.report.itemRowsRead++;
    this.report.addBadItem(file, line, reason);
  }

  /**
   * Applies the limits and returns the dataset: interactions stably sorted by
   * timestamp; every interacted item present in `items` (missing ones added
   * with `title: null`, no categories, and a warning).
   *
   * @throws DatasetError (one line) when no interaction row was read, when
   *   none is usable, when the share of bad interaction rows exceeds
   *   `maxBadShare`, or when the share of bad item rows does. The message
   *   names the counts, the share and the first bad row.
   */
  finish(): Dataset {
    const { format } = this.config;
    const r = this.report;
    const files = [...this.interactionFiles].join(', ') || 'the interaction file';
    if (r.rowsRead === 0) throw new DatasetError(`${format}: ${files} has no data rows`);
    const order = stableOrderByTimestamp(this.interactions);
    const isDuplicate = this.markDuplicates(order);
    r.rowsKept = this.interactions.length - isDuplicate.reduce((n, d) => n + d, 0);

    const badTotal = r.rowsRead - r.rowsKept;
    const firstExample = r.firstExample([...this.interactionFiles]);
    const first = firstExample === null ? '' : `; first: ${formatExample(firstExample)}`;
    if (r.rowsKept === 0) {
      throw new DatasetError(
        `${format}: no usable interaction in ${files}: all ${r.rowsRead} rows are bad (${formatBadCounts(r.bad)})${first}`,
      );
    }
    const share = badTotal / r.rowsRead;
    if (share > this.maxBadShare) {
      throw new DatasetError(
        `${format}: ${badTotal} of ${r.rowsRead} rows in ${files} are bad (${formatShare(share)}, more than the ` +
          `${formatShare(this.maxBadShare)} allowed): ${formatBadCounts(r.bad)}${first}`,
      );
    }
    if (r.itemRowsRead > 0 && r.itemRowsBad / r.itemRowsRead > this.maxBadShare) {
      const itemFiles = [...this.itemFiles].join(', ');
      const firstItem = r.firstBadItem === null ? '' : `; first: ${formatExample(r.firstBadItem)}`;
      throw new DatasetError(
        `${format}: ${r.itemRowsBad} of ${r.itemRowsRead} item rows in ${itemFiles} are bad ` +
          `(${formatShare(r.itemRowsBad / r.itemRowsRead)}, more than the ${formatShare(this.maxBadShare)} allowed)${firstItem}`,
      );
    }
    if (this.valuesIgnored > 0) {
      r.warn(`${this.valuesIgnored} rows had a value for a type other than RATING or VIEW; the value was dropped`);
    }

    const interactions: Interaction[] = new Array<Interaction>(r.rowsKept);
    let k = 0;
    let missing = 0;
    for (const i of order) {
      if (isDuplicate[i] === 1) continue;
      const it = this.interactions[i] as Interaction;
      interactions[k++] = it;
      if (this.items.has(it.itemId)) continue;
      this.items.set(it.itemId, {
        id: it.itemId,
        title: null,
        categories: [],
        attributes: {},
        createdAt: null,
        available: true,
      });
      missing++;
    }
    if (missing > 0) {
      const where = this.itemFiles.size > 0 ? [...this.itemFiles].join(', ') : 'the catalog (no item file)';
      r.warn(`${missing} interacted items are missing from ${where}; added without title or categories`);
    }
    return {
      name: this.config.name,
      format,
      interactions,
      items: this.items,
      ratingScale: this.config.ratingScale,
      report: r.build(),
    };
  }

  /**
   * Flags every row equal to an earlier one in (user, item, type, timestamp)
   * and records it as a `duplicate` bad row (in input order). `order` lists
   * row indices by timestamp, ties in input order, so equal rows are
   * neighbours within a run of equal timestamps.
   */
  private markDuplicates(order: Uint32Array): Uint8Array {
    const rows = this.interactions;
    const isDuplicate = new Uint8Array(rows.length);
    const found: [dup: number, kept: number][] = [];
    for (let start = 0; start < order.length; ) {
      const ts = (rows[order[start] as number] as Interaction).timestamp;
      let end = start + 1;
      while (end < order.length && (rows[order[end] as number] as Interaction).timestamp === ts) end++;
      if (end - start > 1) {
        const seen = new Map<string, number>();
        for (let j = start; j < end; j++) {
          const i = order[j] as number;
          const it = rows[i] as Interaction;
          const key = `${it.userId}\u0000${it.itemId}\u0000${it.type}`;
          const kept = seen.get(key);
          if (kept === undefined) seen.set(key, i);
          else {
            isDuplicate[i] = 1;
            found.push([i, kept]);
          }
        }
      }
      start = end;
    }
    found.sort((a, b) => a[0] - b[0]);
    for (const [i, kept] of found) {
      const where = this.files[kept] === this.files[i] ? `line ${this.lines[kept]}` : `${this.files[kept]}:${this.lines[kept]}`;
      this.report.addBad(
        'duplicate',
        this.files[i] as string,
        this.lines[i] as number,
        `duplicate of ${where} (same user, item, type, timestamp)`,
      );
    }
    return isDuplicate;
  }
}

/**
 * Indices of `rows` ordered by timestamp, ties in index order (a stable
 * sort): numeric typed-array sort of the distinct timestamps, then a
 * counting sort by rank — no comparator calls per row.
 */
function stableOrderByTimestamp(rows: readonly Interaction[]): Uint32Array {
  const n = rows.length;
  const ts = new Float64Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    ts[i] = (rows[i] as Interaction).timestamp;
    if (i > 0 && (ts[i] as number) < (ts[i - 1] as number)) sorted = false;
  }
  const order = new Uint32Array(n);
  if (sorted) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  const distinct = ts.slice().sort();
  let u = 0;
  for (let i = 0; i < n; i++) {
    if (u === 0 || distinct[i] !== distinct[u - 1]) distinct[u++] = distinct[i] as number;
  }
  const rank = new Uint32Array(n);
  const next = new Uint32Array(u + 1);
  for (let i = 0; i < n; i++) {
    const t = ts[i] as number;
    let lo = 0;
    let hi = u - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((distinct[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
    next[lo + 1]!++;
  }
  for (let r = 1; r <= u; r++) next[r]! += next[r - 1] as number;
  for (let i = 0; i < n; i++) order[next[rank[i] as number]!++] = i;
  return order;
}
