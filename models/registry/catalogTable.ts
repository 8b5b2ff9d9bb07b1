import type { CatalogItem } from '../../src/domain/interaction.js';
import { CategoryInterner } from '../../src/stores/embedded/categoryInterner.js';
import type { ItemIdList } from '../../src/domain/itemIdList.js';
import type { PackedStrings } from './packedStrings.js';
import { PackedStringsBuilder } from './packedStrings.js';

/**
 * A read-only catalog whose keys are also numbered: `ids[k]` is the k-th key
 * in iteration order and `positionOf(id)` its k. The memory feature store
 * keeps its catalog and counters by this position instead of in maps of its
 * own (issue #6: one id → position map for the whole process at 1M items).
 */
export interface IndexedCatalog extends ReadonlyMap<string, CatalogItem> {
  /** The keys in iteration order (do not write to it; a {@link PackedIdList} for a large model's catalog). */
  readonly ids: ItemIdList;
  /** Position of `id` in {@link ids}, or undefined when it is not a key. */
  positionOf(id: string): number | undefined;
  /** The item at position k (0 ≤ k < size; `get(ids[k])` without a lookup by id). */
  at(k: number): CatalogItem;
  /** `at(k).categories` (an empty array if it has none) without building the item (0 ≤ k < size; shared arrays: read-only). */
  categoriesAt(k: number): readonly string[];
  /** Whether the item at k is not marked `available: false` (`at(k).available !== false`), without building it (0 ≤ k < size). */
  availableAt(k: number): boolean;
  /** `at(k).createdAt` without building the item (0 ≤ k < size): Unix ms, NaN for null. */
  createdAtAt(k: number): number;
}

/** True when `catalog` is an {@link IndexedCatalog}. */
export function isIndexedCatalog(catalog: ReadonlyMap<string, CatalogItem>): catalog is IndexedCatalog {
  return (
    typeof (catalog as Partial<IndexedCatalog>).ids?.at === 'function' &&
    typeof (catalog as Partial<IndexedCatalog>).positionOf === 'function' &&
    typeof (catalog as Partial<IndexedCatalog>).at === 'function' &&
    typeof (catalog as Partial<IndexedCatalog>).categoriesAt === 'function'
  );
}

/**
 * Catalogs of at least this many items keep their titles packed (issue #6):
 * at 1M items 33 MB less RSS when ready and a million fewer heap strings for
 * every major GC to mark, at +3–5 % of CPU per call there (every item read
 * decodes its title, ~500 per `recommendations` call; BENCHMARKS.md); below
 * it, that cost would buy little memory. The default of `RECGATE_ANN_MIN_ITEMS`
 * (the embedded vector index serves catalogs larger than it with IVF).
 */
export const PACKED_TITLES_MIN_ITEMS = 200_000;

/** The categories read of an item kept as parsed without a `categories` list. */
const NO_CATEGORIES: readonly string[] = Object.freeze([]);

const KEYS = ['id', 'title', 'categories', 'attributes', 'createdAt', 'available'] as const;

/**
 * A registry catalog (issue #6: memory at 1M items) kept as columns by
 * position: titles, codes of interned category lists and attribute objects,
 * `createdAt` (Float64Array, NaN for null) and `available` (Uint8Array). A
 * {@link CatalogItem} is built on each `get` (and each value an iterator
 * yields): equal to the parsed line (same keys in the same order, the same
 * values), but a new object per read, so callers must not rely on identity.
 * The ranking stage does not build items: it reads the columns by position
 * (`categoriesAt`, `availableAt`, `createdAtAt`).
 * Category arrays and attribute objects are shared between items with equal
 * contents: treat them as read-only (the type says so).
 *
 * A line that is not exactly that shape (other keys, another key order, a
 * value of another type) is kept as the parsed object, returned as is.
 *
 * Memory: the title (from {@link PACKED_TITLES_MIN_ITEMS} items up, its
 * characters packed with the others, {@link PackedStrings}: one or two bytes
 * per character and a 4-byte offset, no heap string), an id
 * pointer and 17 bytes of columns per item (category and attribute codes
 * into the shared lists and objects, `createdAt`, `available`) instead of a
 * Map entry and four objects; the ids and the
 * id → position map are the model's (`itemIds`, `itemIndex`) when the
 * catalog lists exactly the model's items in its order.
 */
export class CatalogTable implements IndexedCatalog {
  readonly ids: ItemIdList;
  private readonly index: ReadonlyMap<string, number>;
  /** Titles by position: packed from {@link PACKED_TITLES_MIN_ITEMS} items (issue #6: not a heap string per item), else an array. */
  private readonly titles: PackedStrings;
  /** Per position, the index of its category list in {@link categoryLists}. */
  private readonly categoryCodes: Int32Array;
  private readonly categoryLists: readonly (readonly string[])[];
  /** Per position, the index of its attributes object in {@link attributeObjects}. */
  private readonly attributeCodes: Int32Array;
  private readonly attributeObjects: readonly Readonly<Record<string, unknown>>[];
  private readonly createdAt: Float64Array;
  private readonly availability: Uint8Array;
  /** Items kept as parsed (not of the columns' shape), by position. */
  private readonly irregular: Map<number, CatalogItem>;

  private constructor(builder: CatalogTableBuilder, ids: ItemIdList, index: ReadonlyMap<string, number>) {
    const n = ids.length;
    this.ids = ids;
    this.index = index;
    // Exactly n entries: the builder holds one per position (a repeated id rewrites its first).
    this.titles = builder.titles.finish();
    this.categoryCodes = builder.categoryCodes.slice(0, n);
    this.categoryLists = builder.categories.lists;
    this.attributeCodes = builder.attributeCodes.slice(0, n);
    this.attributeObjects = builder.attributeObjects;
    this.createdAt = builder.createdAt.slice(0, n);
    this.availability = builder.availability.slice(0, n);
    this.irregular = builder.irregular;
  }

  /**
   * Builds a table from parsed items in order; a repeated id replaces the
   * item at its first position (as `Map.set` does). `known` are the model's
   * ids and their map: an item whose id is in it keeps the `known` id string,
   * and when the items are exactly `known.ids` in order, the table uses
   * `known.ids` and `known.index` instead of an array and map of its own.
   * From `packTitlesFrom` items up (an integer ≥ 0), the titles are packed
   * ({@link PackedStrings}) as they are read; below, they stay strings in an array.
   *
   * Memory (issue #6): while the items come in the model's order, neither
   * their ids nor (past `packTitlesFrom`) their titles are held as strings, so
   * the parsed lines are garbage as soon as they are read. At 1M items the
   * ~80 MB of id and title strings held to the end of the parse had set V8's
   * heap limit, and the start-up peak, that much higher.
   */
  static build(
    items: Iterable<CatalogItem>,
    known: { readonly ids: ItemIdList; readonly index: ReadonlyMap<string, number> },
    packTitlesFrom = PACKED_TITLES_MIN_ITEMS,
  ): CatalogTable {
    const b = new CatalogTableBuilder(packTitlesFrom);
    // While every item so far sits at its model row (positions 0..count − 1 are known.ids'), no ids or map are held.
    let count = 0;
    let ids: string[] | null = null;
    let own: Map<string, number> | null = null;
    const knownArray = Array.isArray(known.ids) ? (known.ids as readonly string[]) : null;
    for (const item of items) {
      const row = known.index.get(item.id);
      if (own === null && row === count) {
        b.put(count, knownArray === null ? item.id : knownArray[row]!, item);
        count++;
        continue;
      }
      if (own === null) {
        ids = knownPrefix(known.ids, count);
        own = new Map(ids.map((x, i) => [x, i]));
      }
      // A known id string is shared, not kept twice (an array's; a packed list's would be a new string).
      const id = row === undefined || knownArray === null ? item.id : knownArray[row]!;
      let k = own.get(id);
      if (k === undefined) {
        own.set(id, (k = ids!.length));
        ids!.push(id);
      }
      b.put(k, id, item);
    }
    if (own === null && count === known.ids.length) return new CatalogTable(b, known.ids, known.index);
    if (own === null) ids = knownPrefix(known.ids, count);
    return new CatalogTable(b, ids!, own ?? new Map(ids!.map((x, i) => [x, i])));
  }

  get size(): number {
    return this.ids.length;
  }

  positionOf(id: string): number | undefined {
    return this.index.get(id);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): CatalogItem | undefined {
    const k = this.index.get(id);
    return k === undefined ? undefined : this.at(k);
  }

  /** The item at position k (0 ≤ k < size), built from the columns. */
  at(k: number): CatalogItem {
    const kept = this.irregular.get(k);
    if (kept !== undefined) return kept;
    const createdAt = this.createdAt[k]!;
    return {
      id: this.ids.at(k)!,
      title: this.titles.at(k),
      categories: this.categoryLists[this.categoryCodes[k]!]!,
      attributes: this.attributeObjects[this.attributeCodes[k]!]!,
      createdAt: Number.isNaN(createdAt) ? null : createdAt,
      available: this.availability[k] === 1,
    };
  }

  /**
   * The `createdAt` column by position (Unix ms, NaN for null), for a caller
   * that shares it instead of holding an equal column (issue #6). Read-only:
   * do not write to it. The entry of an item kept as parsed (another shape)
   * is meaningless: compare before sharing.
   */
  get createdAtColumn(): Float64Array {
    return this.createdAt;
  }

  /** Bytes of the packed titles outside the V8 heap; 0 when the titles are kept as strings (a small catalog). */
  get packedTitleBytes(): number {
    return this.titles.byteLength;
  }

  /** The `available` column by position (1 available, 0 not), shared as {@link createdAtColumn} is. */
  get availabilityColumn(): Uint8Array {
    return this.availability;
  }

  categoriesAt(k: number): readonly string[] {
    const kept = this.irregular.size === 0 ? undefined : this.irregular.get(k);
    return kept === undefined
      ? this.categoryLists[this.categoryCodes[k]!]!
      : (kept.categories ?? NO_CATEGORIES);
  }

  availableAt(k: number): boolean {
    const kept = this.irregular.size === 0 ? undefined : this.irregular.get(k);
    return kept === undefined ? this.availability[k] === 1 : kept.available !== false;
  }

  createdAtAt(k: number): number {
    const kept = this.irregular.size === 0 ? undefined : this.irregular.get(k);
    return kept === undefined ? this.createdAt[k]! : (kept.createdAt ?? NaN);
  }

  /** The categories of `id` without building the item; undefined when it is not a key. */
  categoriesOf(id: string): readonly string[] | undefined {
    const k = this.index.get(id);
    if (k === undefined) return undefined;
    const kept = this.irregular.get(k);
    return kept === undefined ? this.categoryLists[this.categoryCodes[k]!] : kept.categories;
  }

  /** The availability of `id` without building the item; undefined when it is not a key. */
  availableOf(id: string): boolean | undefined {
    const k = this.index.get(id);
    if (k === undefined) return undefined;
    const kept = this.irregular.get(k);
    return kept === undefined ? this.availability[k] === 1 : kept.available;
  }

  *keys(): MapIterator<string> {
    yield* this.ids;
  }

  *values(): MapIterator<CatalogItem> {
    for (let k = 0; k < this.ids.length; k++) yield this.at(k);
  }

  *entries(): MapIterator<[string, CatalogItem]> {
    for (let k = 0; k < this.ids.length; k++) yield [this.ids.at(k)!, this.at(k)];
  }

  [Symbol.iterator](): MapIterator<[string, CatalogItem]> {
    return this.entries();
  }

  forEach(
    callback: (value: CatalogItem, key: string, map: ReadonlyMap<string, CatalogItem>) => void,
    thisArg?: unknown,
  ): void {
    for (let k = 0; k < this.ids.length; k++) callback.call(thisArg, this.at(k), this.ids.at(k)!, this);
  }
}

/** The first n of `ids` as an array of strings (shared when `ids` is an array). */
function knownPrefix(ids: ItemIdList, n: number): string[] {
  if (Array.isArray(ids)) return (ids as readonly string[]).slice(0, n);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = ids.at(i)!;
  return out;
}

/** Columns being filled by {@link CatalogTable.build}. */
class CatalogTableBuilder {
  /** Titles by position, packed once there are `packTitlesFrom` of them. */
  readonly titles: PackedStringsBuilder;

  constructor(packTitlesFrom: number) {
    this.titles = new PackedStringsBuilder(packTitlesFrom);
  }

  /**
   * Distinct category lists (frozen copies, code 0 the empty list); the codes
   * index them (issue #6: 4 bytes per item instead of an 8-byte reference).
   */
  readonly categories = new CategoryInterner();
  categoryCodes = new Int32Array(1024);
  /** Distinct attribute objects (equal flat ones shared); codes index them. */
  readonly attributeObjects: Readonly<Record<string, unknown>>[] = [EMPTY];
  attributeCodes = new Int32Array(1024);
  createdAt = new Float64Array(1024);
  availability = new Uint8Array(1024);
  readonly irregular = new Map<number, CatalogItem>();
  private readonly internedAttributes = new Map<string, number>();

  put(k: number, id: string, item: CatalogItem): void {
    if (k >= this.createdAt.length) {
      const size = this.createdAt.length * 2;
      this.createdAt = grownTo(this.createdAt, new Float64Array(size));
      this.availability = grownTo(this.availability, new Uint8Array(size));
      this.categoryCodes = grownTo(this.categoryCodes, new Int32Array(size));
      this.attributeCodes = grownTo(this.attributeCodes, new Int32Array(size));
    }
    if (!isRegular(item)) {
      const categories = Array.isArray(item.categories)
        ? this.categories.intern(item.categories)
        : item.categories;
      this.irregular.set(k, { ...item, id, categories });
      this.titles.set(k, null);
      this.categoryCodes[k] = 0;
      this.attributeCodes[k] = 0;
      return;
    }
    this.irregular.delete(k);
    this.titles.set(k, item.title);
    this.categoryCodes[k] = this.categories.code(item.categories);
    this.attributeCodes[k] = this.internAttributes(item.attributes);
    this.createdAt[k] = item.createdAt ?? NaN;
    this.availability[k] = item.available ? 1 : 0;
  }

  /**
   * Equal flat attribute objects (same keys in the same order, each value a
   * string, boolean, null or a number other than −0, so JSON tells them
   * apart) share one object; any other object is kept as is.
   */
  private internAttributes(attributes: Readonly<Record<string, unknown>>): number {
    for (const v of Object.values(attributes)) {
      const flat =
        v === null ||
        typeof v === 'string' ||
        typeof v === 'boolean' ||
        (typeof v === 'number' && !Object.is(v, -0));
      if (!flat) {
        this.attributeObjects.push(attributes);
        return this.attributeObjects.length - 1;
      }
    }
    const key = JSON.stringify(attributes);
    const code = this.internedAttributes.get(key);
    if (code !== undefined) return code;
    this.attributeObjects.push(attributes);
    this.internedAttributes.set(key, this.attributeObjects.length - 1);
    return this.attributeObjects.length - 1;
  }
}

/** `from` copied into the start of `into` (zeros after it). */
function grownTo<T extends Float64Array | Uint8Array | Int32Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * True when `item` has exactly the keys of a {@link CatalogItem} in their
 * declared order with values of their declared types (a plain-object
 * `attributes` of JSON values, a finite or null `createdAt`), so the columns
 * rebuild it exactly.
 */
function isRegular(item: CatalogItem): boolean {
  const keys = Object.keys(item);
  if (keys.length !== KEYS.length || keys.some((key, i) => key !== KEYS[i])) return false;
  const { title, categories, attributes, createdAt, available } = item;
  return (
    (title === null || typeof title === 'string') &&
    Array.isArray(categories) &&
    categories.every((c) => typeof c === 'string') &&
    typeof attributes === 'object' &&
    attributes !== null &&
    !Array.isArray(attributes) &&
    Object.getPrototypeOf(attributes) === Object.prototype &&
    (createdAt === null || (typeof createdAt === 'number' && !Number.isNaN(createdAt))) &&
    typeof available === 'boolean'
  );
}

/**
 * An {@link IndexedCatalog} over a copy of `catalog` (its entries as they are
 * now, in its order), for a catalog that is not one already: one array of
 * ids and one map, as a store's own copy of a small catalog would hold.
 */
export function indexCatalog(catalog: ReadonlyMap<string, CatalogItem>): IndexedCatalog {
  const items = new Map(catalog);
  const ids = [...items.keys()];
  const positions = new Map(ids.map((id, k) => [id, k]));
  return {
    ids,
    positionOf: (id) => positions.get(id),
    at: (k) => items.get(ids[k]!)!,
    categoriesAt: (k) => items.get(ids[k]!)!.categories ?? NO_CATEGORIES,
    availableAt: (k) => items.get(ids[k]!)!.available !== false,
    createdAtAt: (k) => items.get(ids[k]!)!.createdAt ?? NaN,
    get size() {
      return items.size;
    },
    get: (id) => items.get(id),
    has: (id) => items.has(id),
    keys: () => items.keys(),
    values: () => items.values(),
    entries: () => items.entries(),
    forEach(callback, thisArg?: unknown) {
      for (const [id, item] of items) callback.call(thisArg, item, id, this);
    },
    [Symbol.iterator]: () => items.entries(),
  };
}
