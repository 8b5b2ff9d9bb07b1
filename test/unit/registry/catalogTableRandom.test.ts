import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CatalogTable } from '../../../models/registry/catalogTable.js';
import { IdRowIndex } from '../../../models/registry/idRowIndex.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import type { ItemIdList } from '../../../src/domain/itemIdList.js';
import { ItemIdRange, JoinedIdList, PackedIdList } from '../../../src/domain/itemIdList.js';
import type { Random } from '../../../src/domain/random.js';
import { createRandom } from '../../../src/domain/random.js';

/**
 * Randomized differential test of `CatalogTable.build` (commit d426217: the
 * build no longer holds the ids of items read in the model's order, and packs
 * titles as it reads them) against the reference `new Map(lines.map(i => [i.id, i]))`.
 */

/** The kinds of `ItemIdList` a model's `itemIds` (or a list of its rows) takes in the code base. */
const KINDS = ['array', 'packed', 'joined', 'range'] as const;
type Kind = (typeof KINDS)[number];

/** How the lines' ids relate to the model's. */
const ORDERS = ['exact', 'prefix', 'broken', 'shuffled'] as const;
type Order = (typeof ORDERS)[number];

/** Where titles that are not Latin-1 (two bytes per character packed) appear. */
const WIDE = ['never', 'first', 'late', 'rewriteOnly', 'anywhere'] as const;
type Wide = (typeof WIDE)[number];

const LATIN1 = ['a', 'Z', ' ', 'é', 'ÿ', '\u0000', '\u0080', 'ß'];
const NOT_LATIN1 = ['猫', '🎬', '\ud800', '\udfff', '\u0100', '\ufffd'];

/** One generated input: the model's ids, the catalog's lines and the titles' packing threshold. */
interface Case {
  readonly knownIds: readonly string[];
  readonly known: { readonly ids: ItemIdList; readonly index: ReadonlyMap<string, number> };
  readonly lines: readonly CatalogItem[];
  /** Per line: whether it has the regular shape (its title goes into the packed column). */
  readonly regular: readonly boolean[];
  readonly packTitlesFrom: number;
  /** Ids to probe that no line has. */
  readonly absent: readonly string[];
  readonly describe: string;
}

/** One of `values`, uniformly. */
function pick<T>(random: Random, values: readonly T[]): T {
  return values[random.int(0, values.length - 1)]!;
}

/** A random string of up to `max` characters drawn from `letters` (empty sometimes). */
function text(random: Random, letters: readonly string[], max: number): string {
  let s = '';
  for (let c = random.int(0, max); c > 0; c--) s += pick(random, letters);
  return s;
}

/**
 * A title: null, empty, Latin-1, or (when `wide`) with at least one
 * character outside Latin-1 (a CJK letter, an astral pair, a lone surrogate).
 */
function title(random: Random, wide: boolean): string | null {
  const r = random.int(0, 9);
  if (r === 0) return null;
  if (r === 1) return '';
  const s = text(random, LATIN1, 30);
  if (!wide) return s;
  const at = random.int(0, s.length);
  return s.slice(0, at) + pick(random, NOT_LATIN1) + s.slice(at);
}

/**
 * A catalog line for `id` (a JSON round trip, so every string is new as the
 * loader's are): mostly of the regular shape; sometimes another key, another
 * key order, a title that is not a string, a missing field or a `createdAt`
 * of another type, which the table keeps as parsed.
 * @returns the line and whether it has the regular shape.
 */
function line(random: Random, id: string, titleValue: string | null): [CatalogItem, boolean] {
  const categories = random.int(0, 3) === 0 ? [] : [pick(random, ['a', 'b', 'é', '猫'])];
  const attributes = pick<Record<string, unknown>>(random, [
    {},
    { topic: 1 },
    { topic: 1, tag: 's' },
    { nested: { deep: [1, 2] } },
  ]);
  const createdAt = random.int(0, 4) === 0 ? null : random.int(0, 2e9) + pick(random, [0, 0.5]);
  const available = random.int(0, 3) !== 0;
  const base: Record<string, unknown> = {
    id,
    title: titleValue,
    categories,
    attributes,
    createdAt,
    available,
  };
  let regular = true;
  let shaped: Record<string, unknown> = base;
  switch (random.int(0, 12)) {
    case 0:
      shaped = { ...base, extra: random.int(0, 9) };
      regular = false;
      break;
    case 1: {
      const { available: a, ...rest } = base;
      shaped = { available: a, ...rest };
      regular = false;
      break;
    }
    case 2:
      shaped = { ...base, title: pick(random, [42, true, ['t'], { t: 1 }]) };
      regular = false;
      break;
    case 3: {
      const field = pick(random, ['title', 'categories', 'attributes', 'createdAt', 'available']);
      shaped = { ...base };
      delete shaped[field];
      regular = false;
      break;
    }
    case 4:
      shaped = { ...base, createdAt: '2024-01-01' };
      regular = false;
      break;
    default:
  }
  return [JSON.parse(JSON.stringify(shaped)) as CatalogItem, regular];
}

/**
 * `ids` as a list of `kind`, with the map of their rows: a `Map` or the
 * {@link IdRowIndex} a large model uses (the last row of a repeated id, either way).
 */
function knownList(random: Random, ids: readonly string[], kind: Kind): Case['known'] {
  const index: ReadonlyMap<string, number> =
    random.int(0, 1) === 0 ? new Map(ids.map((id, i) => [id, i])) : new IdRowIndex(PackedIdList.from(ids)!);
  switch (kind) {
    case 'array':
      return { ids, index };
    case 'packed':
      return { ids: PackedIdList.from(ids)!, index };
    case 'joined': {
      // A packed head with rows past headLength that are not the model's, and the rest in the tail.
      const h = random.int(0, ids.length);
      const head = PackedIdList.from([...ids.slice(0, h), 'head-only-1', 'head-only-2'])!;
      return { ids: new JoinedIdList(head, h, ids.slice(h)), index };
    }
    case 'range': {
      const before = ['range-pre-0', 'range-pre-1'].slice(0, random.int(0, 2));
      const all = [...before, ...ids, 'range-post'];
      const list = random.int(0, 1) === 0 ? all : PackedIdList.from(all)!;
      return { ids: new ItemIdRange(list, before.length, ids.length), index };
    }
  }
}

/**
 * A random case: model ids (some not ASCII), lines that follow the model's
 * order exactly, stop early, break order at a random point, or are shuffled,
 * with unknown ids and repeated ids (of the in-order prefix and after it)
 * mixed in past the break; titles that are not Latin-1 never, in the first
 * line, only late, only in a repeated id's line, or anywhere.
 */
function randomCase(random: Random, big: boolean): Case {
  const nKnown = big ? random.int(1000, 2500) : random.int(0, 24);
  const knownIds = Array.from({ length: nKnown }, (_, i) => pick(random, ['id', 'é', '猫', 'x']) + i);
  // Rarely, a model that lists an id twice (its index gives the last row).
  if (nKnown > 2 && random.int(0, 19) === 0) knownIds[random.int(1, nKnown - 1)] = pick(random, knownIds);
  const kind = pick(random, KINDS);
  const order: Order = pick(random, ORDERS);
  const wide: Wide = pick(random, WIDE);
  const ids: string[] = [];
  if (order === 'exact') ids.push(...knownIds);
  else if (order === 'shuffled') ids.push(...random.shuffle([...knownIds]));
  else {
    ids.push(...knownIds.slice(0, random.int(0, nKnown)));
    if (order === 'broken') {
      const unused = random.shuffle(knownIds.slice(ids.length));
      const steps = big ? random.int(0, 600) : random.int(1, 20);
      for (let s = 0; s < steps; s++) {
        const r = random.int(0, 5);
        if (r <= 1 && unused.length > 0) ids.push(unused.pop()!);
        else if (r === 2) ids.push(`new${random.int(0, 5)}`);
        else if (r === 3 && ids.length > 0) ids.push(ids[random.int(0, ids.length - 1)]!);
        else if (r === 4 && ids.length > 0) ids.push(ids[random.int(0, Math.min(ids.length, 3) - 1)]!);
        else ids.push(pick(random, ['new-a', '', 'id0', knownIds[0] ?? 'z']));
      }
    }
  }
  if (order === 'shuffled' && random.int(0, 1) === 0) {
    for (let s = random.int(0, 5); s > 0 && ids.length > 0; s--) ids.push(pick(random, ids));
  }
  const lateFrom = random.int(0, ids.length);
  const seen = new Set<string>();
  const lines: CatalogItem[] = [];
  const regular: boolean[] = [];
  ids.forEach((id, i) => {
    const repeated = seen.has(id);
    seen.add(id);
    const isWide =
      wide === 'first'
        ? i === 0 || random.int(0, 3) === 0
        : wide === 'late'
          ? i >= lateFrom && random.int(0, 2) === 0
          : wide === 'rewriteOnly'
            ? repeated
            : wide === 'anywhere' && random.int(0, 4) === 0;
    const [l, r] = line(random, id, title(random, isWide));
    lines.push(l);
    regular.push(r);
  });
  const n = seen.size;
  const packTitlesFrom = pick(random, [
    0,
    1,
    random.int(2, 5),
    n,
    n + 1,
    n + random.int(2, 50),
    random.int(0, Math.max(0, n - 1)),
    lines.length,
  ]);
  const absent = ['nope', 'new-never', ...knownIds.filter((id) => !seen.has(id)).slice(0, 5)];
  return {
    knownIds,
    known: knownList(random, knownIds, kind),
    lines,
    regular,
    packTitlesFrom,
    absent,
    describe: `${kind}, ${order}, wide ${wide}, ${nKnown} known, ${lines.length} lines, ${n} ids, packTitlesFrom ${packTitlesFrom}`,
  };
}

/** What the table reads back for `line`: the line itself, with `categories: undefined` added when it has none (documented). */
function expectedItem(line: CatalogItem): CatalogItem {
  const fields = line as unknown as Record<string, unknown>;
  return 'categories' in fields ? line : ({ ...fields, categories: undefined } as unknown as CatalogItem);
}

/** Bytes of the packed titles (one or two per code unit, n + 1 offsets, a null flag each when one is null). */
function packedBytes(titles: readonly (string | null)[]): number {
  const units = titles.reduce((sum, t) => sum + (t?.length ?? 0), 0);
  const wide = titles.some((t) => t !== null && /[\u0100-\uffff]/.test(t));
  return (wide ? 2 : 1) * units + 4 * (titles.length + 1) + (titles.includes(null) ? titles.length : 0);
}

/** Every way `table` differs from the reference map of `c.lines` (empty when none). */
function differences(c: Case, table: CatalogTable): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok && problems.length < 10) problems.push(what);
  };
  const reference = new Map(c.lines.map((i) => [i.id, i]));
  const lastLine = new Map(c.lines.map((i, k) => [i.id, k]));
  const keys = [...reference.keys()];
  check(table.size === reference.size, `size ${table.size} ≠ ${reference.size}`);
  check(isDeepStrictEqual([...table.keys()], keys), 'keys differ');
  check(table.ids.length === keys.length, 'ids.length differs');
  check(isDeepStrictEqual([...table.ids], keys), 'ids iteration differs');
  const titles: (string | null)[] = [];
  keys.forEach((id, k) => {
    const expected = expectedItem(reference.get(id)!);
    const isRegular = c.regular[lastLine.get(id)!]!;
    titles.push(isRegular ? expected.title : null);
    const at = table.at(k);
    check(table.ids.at(k) === id, `ids.at(${k})`);
    check(isDeepStrictEqual(at, expected), `at(${k}) ${JSON.stringify(at)} ≠ ${JSON.stringify(expected)}`);
    check(isDeepStrictEqual(Object.keys(at), Object.keys(expected)), `at(${k}) key order`);
    check(isDeepStrictEqual(table.get(id), expected), `get(${JSON.stringify(id)})`);
    check(table.positionOf(id) === k, `positionOf(${JSON.stringify(id)}) ${table.positionOf(id)} ≠ ${k}`);
    check(table.has(id), `has(${JSON.stringify(id)})`);
    check(isDeepStrictEqual(table.categoriesAt(k), expected.categories ?? []), `categoriesAt(${k})`);
    check(table.availableAt(k) === (expected.available !== false), `availableAt(${k})`);
    check(Object.is(table.createdAtAt(k), expected.createdAt ?? NaN), `createdAtAt(${k})`);
    check(isDeepStrictEqual(table.categoriesOf(id), expected.categories), `categoriesOf(${k})`);
    check(table.availableOf(id) === expected.available, `availableOf(${k})`);
  });
  const entries = [...reference.entries()].map(([id, i]) => [id, expectedItem(i)]);
  check(isDeepStrictEqual([...table], entries), 'iteration differs');
  check(isDeepStrictEqual([...table.entries()], entries), 'entries() differs');
  check(
    isDeepStrictEqual(
      [...table.values()],
      entries.map(([, i]) => i),
    ),
    'values() differs',
  );
  const visited: unknown[] = [];
  table.forEach((v, k) => visited.push([k, v]));
  check(isDeepStrictEqual(visited, entries), 'forEach differs');
  for (const id of c.absent) {
    check(!table.has(id), `has(${JSON.stringify(id)}) for an absent id`);
    check(table.get(id) === undefined, `get(${JSON.stringify(id)}) for an absent id`);
    check(table.positionOf(id) === undefined, `positionOf(${JSON.stringify(id)}) for an absent id`);
  }
  // Documented: the model's ids are the table's when the lines are exactly them, in order.
  const exact =
    c.lines.length === c.knownIds.length &&
    c.lines.every((l, k) => l.id === c.knownIds[k]) &&
    new Set(c.knownIds).size === c.knownIds.length;
  check(!exact || table.ids === c.known.ids, "the model's ids not shared for lines in its exact order");
  const packed = keys.length >= c.packTitlesFrom;
  const bytes = packed ? packedBytes(titles) : 0;
  check(table.packedTitleBytes === bytes, `packedTitleBytes ${table.packedTitleBytes} ≠ ${bytes}`);
  return problems;
}

describe('CatalogTable.build, randomized against a Map of the lines', () => {
  it('reads like new Map(lines.map(i => [i.id, i])) for thousands of random models, lines and thresholds', () => {
    const random = createRandom(20261204);
    const kinds = new Set<string>();
    for (let c = 0; c < 4000; c++) {
      const input = randomCase(random, c % 200 === 0);
      kinds.add(input.describe.split(',').slice(0, 3).join(','));
      const table = CatalogTable.build(input.lines, input.known, input.packTitlesFrom);
      const problems = differences(input, table);
      if (problems.length > 0) expect.fail(`case ${c} (${input.describe}): ${problems.join('; ')}`);
    }
    // Every combination of id list, order and wide-title placement came up.
    expect(kinds.size).toBe(KINDS.length * ORDERS.length * WIDE.length);
  });
});
