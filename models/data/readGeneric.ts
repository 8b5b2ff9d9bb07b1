import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isInteractionType } from '../../src/domain/interaction.js';
import type { CatalogItem, InteractionType, RatingScale } from '../../src/domain/interaction.js';
import { DatasetBuilder } from './datasetBuilder.js';
import { DatasetError } from './dataset.js';
import type { Dataset, LoadOptions } from './dataset.js';
import { describeValue } from './describeValue.js';
import { findDatasetFile } from './findDatasetFile.js';
import { parseTimestamp } from './parseTimestamp.js';
import { readRecordFile } from './readRecordFile.js';
import { formatExample } from './validationReportBuilder.js';

/** Accepted RATING values when `dataset.json` gives no `ratingScale`. */
export const GENERIC_DEFAULT_RATING_RANGE = { min: 0, max: 10 } as const;

/**
 * Contents of the optional `dataset.json` of a generic dataset.
 * - `name`: dataset name (default: the folder's base name).
 * - `ratingScale`: scale of `RATING` values; also returned as
 *   `Dataset.ratingScale`. Without it RATING values must lie in 0..10 and
 *   `ratingScale` is `null`.
 */
export interface GenericDatasetConfig {
  readonly name?: string;
  readonly ratingScale?: RatingScale;
}

const INTERACTION_KEYS = { required: ['user_id', 'item_id', 'timestamp'], optional: ['type', 'value'] } as const;
const ITEM_KEYS = { required: ['item_id'], optional: ['title', 'categories', 'attributes', 'created_at', 'available'] } as const;

/**
 * Reads a dataset in the documented generic format (see
 * `models/data/README.md`):
 * - `interactions.csv` or `interactions.jsonl` (exactly one): keys
 *   `user_id, item_id, timestamp` (required), `type`, `value`. `timestamp`:
 *   ISO 8601 or Unix seconds / ms (numbers below 1e11 are seconds). `type`:
 *   an `InteractionType`, case-insensitive; when empty it is `RATING` if a
 *   value is given, else `CLICK`; an unknown type makes the row malformed.
 *   `value`: the rating for RATING (required), dwell seconds for VIEW
 *   (optional, ≥ 0), dropped for other types.
 * - `items.csv` or `items.jsonl` (optional, at most one): `item_id`
 *   (required), `title`, `categories` (CSV: `|`-separated; JSON: array or
 *   `|`-string), `attributes` (a JSON object; in CSV a JSON object string),
 *   `created_at` (same rule as `timestamp`; unreadable → `null` with a
 *   warning), `available` (`true`/`false`/`1`/`0`, default true).
 * - `dataset.json` (optional): {@link GenericDatasetConfig}.
 *
 * @throws DatasetError when no interaction file (or two) is present, when a
 *   file is empty or its CSV header lacks a required column, when
 *   `dataset.json` is invalid, or per `DatasetBuilder.finish`.
 */
export async function readGeneric(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const interactionsPath = pickOne(dir, 'interactions');
  if (interactionsPath === null) {
    throw new DatasetError(
      `generic: required file interactions.csv or interactions.jsonl not found in ${path.resolve(dir)} ` +
        `(generic expects interactions.csv or interactions.jsonl; items.csv/items.jsonl and dataset.json optional)`,
    );
  }
  const itemsPath = pickOne(dir, 'items');
  const config = await readConfig(dir);
  const scale = config.ratingScale ?? null;
  const range = scale ?? GENERIC_DEFAULT_RATING_RANGE;
  const builder = new DatasetBuilder(
    {
      name: config.name ?? path.basename(path.resolve(dir)),
      format: 'generic',
      ratingScale: scale,
      rating: { min: range.min, max: range.max, step: null },
      timestampFormat: 'flexible',
    },
    options,
  );
  const warn = (message: string): void => builder.report.warn(message);
  let ratings = 0;

  await readRecordFile(interactionsPath, 'generic', INTERACTION_KEYS, {
    record(values, line, file) {
      const userId = idOf(values.user_id);
      const itemId = idOf(values.item_id);
      if (userId === null || itemId === null) {
        builder.addMalformed(file, line, `${userId === null ? 'user_id' : 'item_id'} must be a string or number`);
        return;
      }
      const value = valueOf(values.value);
      if (value === undefined) {
        builder.addMalformed(file, line, `value ${describeValue(values.value)} must be a number`);
        return;
      }
      const type = typeOf(values.type, value !== null && String(value).trim() !== '');
      if (type === null) {
        builder.addMalformed(file, line, `unknown type ${describeValue(values.type)}`);
        return;
      }
      if (type === 'RATING') ratings++;
      builder.addInteraction(file, line, { userId, itemId, timestamp: timestampOf(values.timestamp), type, value });
    },
    malformed: (line, reason, file) => builder.addMalformed(file, line, reason),
    warn,
  });

  if (itemsPath !== null) {
    let badDates = 0;
    let firstBadDate = '';
    await readRecordFile(itemsPath, 'generic', ITEM_KEYS, {
      record(values, line, file) {
        const item = itemOf(values);
        if (typeof item === 'string') {
          builder.addBadItem(file, line, item);
          return;
        }
        if (item.badCreatedAt && badDates++ === 0) {
          firstBadDate = formatExample({ file, line, reason: `unparsable created_at ${describeValue(values.created_at)}` });
        }
        builder.addItem(file, line, item.item);
      },
      malformed: (line, reason, file) => builder.addBadItem(file, line, reason),
      warn,
    });
    if (badDates > 0) warn(`${badDates} unparsable created_at values were set to null (first: ${firstBadDate})`);
  }

  if (scale === null && ratings > 0) {
    warn(`${ratings} RATING rows but no ratingScale in dataset.json: values checked against 0..10, ratingScale left null`);
  }
  return builder.finish();
}

/** The `<base>.csv` or `<base>.jsonl` of `dir` (`null` if neither); both present is an error. */
function pickOne(dir: string, base: string): string | null {
  const csv = findDatasetFile([dir], [`${base}.csv`]);
  const jsonl = findDatasetFile([dir], [`${base}.jsonl`]);
  if (csv !== null && jsonl !== null) {
    throw new DatasetError(`generic: both ${base}.csv and ${base}.jsonl are in ${path.resolve(dir)}; keep only one`);
  }
  return csv ?? jsonl;
}

/** Reads and checks `dataset.json` (absent → `{}`). */
async function readConfig(dir: string): Promise<GenericDatasetConfig> {
  const configPath = findDatasetFile([dir], ['dataset.json']);
  if (configPath === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(configPath, 'utf8'));
  } catch {
    throw new DatasetError(`generic: dataset.json in ${path.resolve(dir)} is not valid JSON`);
  }
  const fail = (why: string): never => {
    throw new DatasetError(`generic: dataset.json: ${why}`);
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('not a JSON object');
  const { name, ratingScale } = parsed as Record<string, unknown>;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) fail('name must be a non-empty string');
  if (ratingScale === undefined) return name === undefined ? {} : { name: name as string };
  if (typeof ratingScale !== 'object' || ratingScale === null) return fail('ratingScale must be an object');
  const { min, max, positiveThreshold } = ratingScale as Record<string, unknown>;
  if (typeof min !== 'number' || typeof max !== 'number' || typeof positiveThreshold !== 'number') {
    return fail('ratingScale needs numbers min, max and positiveThreshold');
  }
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max && positiveThreshold >= min && positiveThreshold <= max)) {
    return fail(`ratingScale must have min < max and min ≤ positiveThreshold ≤ max, got ${JSON.stringify(ratingScale)}`);
  }
  return { ...(name === undefined ? {} : { name: name as string }), ratingScale: { min, max, positiveThreshold } };
}

/** A string id (trimmed later), a number turned into its decimal text, `''` when absent, `null` for other JSON types. */
function idOf(raw: unknown): string | null {
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}

/** A value as given (string or number), `null` when absent, `undefined` for other JSON types. */
function valueOf(raw: unknown): string | number | null | undefined {
  if (raw === undefined || raw === null) return null;
  return typeof raw === 'string' || typeof raw === 'number' ? raw : undefined;
}

/** A timestamp as given; absent → `''` (reported as empty), other JSON types → their JSON text (unparsable). */
function timestampOf(raw: unknown): string | number {
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  return raw === undefined || raw === null ? '' : JSON.stringify(raw);
}

/** The type of a row per the default rule, or `null` for an unknown type. */
function typeOf(raw: unknown, valuePresent: boolean): InteractionType | null {
  const text = raw === undefined || raw === null ? '' : String(raw).trim().toUpperCase();
  if (text === '') return valuePresent ? 'RATING' : 'CLICK';
  return isInteractionType(text) ? text : null;
}

/** Builds an item from a record, or returns the reason it is unusable. */
function itemOf(values: Readonly<Record<string, unknown>>): { item: CatalogItem; badCreatedAt: boolean } | string {
  const rawId = idOf(values.item_id);
  if (rawId === null) return 'item_id must be a string or number';
  const id = rawId.trim();
  if (id === '') return 'missing item id';

  const rawTitle = values.title;
  if (rawTitle !== undefined && rawTitle !== null && typeof rawTitle !== 'string') return 'title must be a string';
  const title = typeof rawTitle === 'string' && rawTitle.trim() !== '' ? rawTitle.trim() : null;

  let categories: string[];
  const rawCategories = values.categories;
  if (rawCategories === undefined || rawCategories === null) categories = [];
  else if (typeof rawCategories === 'string') categories = rawCategories.split('|');
  else if (Array.isArray(rawCategories) && rawCategories.every((c) => typeof c === 'string')) {
    categories = rawCategories as string[];
  } else return 'categories must be a |-separated string or an array of strings';
  categories = [...new Set(categories.map((c) => c.trim()).filter((c) => c !== ''))];

  let attributes: unknown = values.attributes;
  if (typeof attributes === 'string') {
    if (attributes.trim() === '') attributes = {};
    else {
      try {
        attributes = JSON.parse(attributes);
      } catch {
        return `attributes ${describeValue(attributes)} is not valid JSON`;
      }
    }
  }
  if (attributes === undefined || attributes === null) attributes = {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    return 'attributes must be a JSON object';
  }

  const available = availableOf(values.available);
  if (available === null) return `available ${describeValue(values.available)} must be true or false`;

  const rawCreated = values.created_at;
  let createdAt: number | null = null;
  let badCreatedAt = false;
  if (typeof rawCreated === 'number' || (typeof rawCreated === 'string' && rawCreated.trim() !== '')) {
    const ms = parseTimestamp(rawCreated, 'flexible');
    if (Number.isNaN(ms)) badCreatedAt = true;
    else createdAt = ms;
  } else if (rawCreated !== undefined && rawCreated !== null && rawCreated !== '') {
    badCreatedAt = true;
  }

  return {
    item: { id, title, categories, attributes: attributes as Record<string, unknown>, createdAt, available },
    badCreatedAt,
  };
}

function availableOf(raw: unknown): boolean | null {
  if (raw === undefined || raw === null || raw === '') return true;
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (text === '' || text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  return null;
}
