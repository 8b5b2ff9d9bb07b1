import type { BadRowExample, BadRowKind, ValidationReport } from './dataset.js';

/** Bad-row kinds in report order. */
export const BAD_ROW_KINDS: readonly BadRowKind[] = [
  'missingId',
  'badTimestamp',
  'valueOutOfRange',
  'duplicate',
  'malformed',
];

/** Human labels for {@link BadRowKind}, as used in summaries ("3 missing id"). */
export const BAD_ROW_LABELS: Readonly<Record<BadRowKind, string>> = {
  missingId: 'missing id',
  badTimestamp: 'bad timestamp',
  valueOutOfRange: 'value out of range',
  duplicate: 'duplicate',
  malformed: 'malformed',
};

/** Examples kept per kind (and per item file). */
export const MAX_EXAMPLES = 5;

/** `ratings.csv:17: missing user id`, the one-line form of a {@link BadRowExample}. */
export function formatExample(example: BadRowExample): string {
  return `${example.file}:${example.line}: ${example.reason}`;
}

/** A share as a percentage with 3 significant digits: `0.05` → `5%`, `0.1234` → `12.3%`, `0.00012` → `0.012%`. */
export function formatShare(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

/**
 * `5 missing id, 2 duplicate` from per-kind counts (kinds with 0 left out;
 * `none` when all are 0).
 */
export function formatBadCounts(bad: Readonly<Record<BadRowKind, number>>): string {
  const parts = BAD_ROW_KINDS.filter((k) => bad[k] > 0).map((k) => `${bad[k]} ${BAD_ROW_LABELS[k]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/**
 * Accumulates a {@link ValidationReport} while a reader runs: interaction
 * rows read / kept / bad by kind with the first {@link MAX_EXAMPLES}
 * examples per kind (callers add rows in file order), item-file rows read /
 * bad, and warnings. Also remembers the first bad item row for error
 * messages.
 */
export class ValidationReportBuilder {
  rowsRead = 0;
  rowsKept = 0;
  itemRowsRead = 0;
  itemRowsBad = 0;
  readonly bad: Record<BadRowKind, number> = {
    missingId: 0,
    badTimestamp: 0,
    valueOutOfRange: 0,
    duplicate: 0,
    malformed: 0,
  };
  readonly examples: Record<BadRowKind, BadRowExample[]> = {
    missingId: [],
    badTimestamp: [],
    valueOutOfRange: [],
    duplicate: [],
    malformed: [],
  };
  readonly warnings: string[] = [];
  firstBadItem: BadRowExample | null = null;
  private readonly itemExamplesByFile = new Map<string, number>();

  /** Counts one bad interaction row of `kind` (the caller counts it in `rowsRead` too). */
  addBad(kind: BadRowKind, file: string, line: number, reason: string): void {
    this.bad[kind]++;
    const example = { file, line, reason };
    if (this.examples[kind].length < MAX_EXAMPLES) this.examples[kind].push(example);
  }

  /**
   * The earliest bad interaction row in file order (`fileOrder` lists the
   * interaction files in reading order), or `null` when there is none.
   * Examples of each kind are kept in file order, so the earliest row is one
   * of the kinds' first examples.
   */
  firstExample(fileOrder: readonly string[]): BadRowExample | null {
    let best: BadRowExample | null = null;
    const rank = (e: BadRowExample): number => fileOrder.indexOf(e.file);
    for (const kind of BAD_ROW_KINDS) {
      const e = this.examples[kind][0];
      if (e === undefined) continue;
      if (best === null || rank(e) < rank(best) || (rank(e) === rank(best) && e.line < best.line)) best = e;
    }
    return best;
  }

  /**
   * Counts one bad item-file row; the first {@link MAX_EXAMPLES} per file
   * become warnings (`movies.csv:5: bad item row: expected 3 fields, got 2`).
   */
  addBadItem(file: string, line: number, reason: string): void {
    this.itemRowsBad++;
    const example = { file, line, reason };
    this.firstBadItem ??= example;
    const shown = this.itemExamplesByFile.get(file) ?? 0;
    if (shown < MAX_EXAMPLES) {
      this.warnings.push(`${formatExample(example)} (item row skipped)`);
      this.itemExamplesByFile.set(file, shown + 1);
    }
  }

  /** Adds a one-line warning (no newline allowed; it is replaced by a space). */
  warn(message: string): void {
    this.warnings.push(message.replace(/[\r\n]+/g, ' '));
  }

  /** Total bad interaction rows (all kinds). */
  badTotal(): number {
    return BAD_ROW_KINDS.reduce((sum, k) => sum + this.bad[k], 0);
  }

  /** A snapshot of the report (arrays copied). */
  build(): ValidationReport {
    return {
      rowsRead: this.rowsRead,
      rowsKept: this.rowsKept,
      bad: { ...this.bad },
      examples: {
        missingId: [...this.examples.missingId],
        badTimestamp: [...this.examples.badTimestamp],
        valueOutOfRange: [...this.examples.valueOutOfRange],
        duplicate: [...this.examples.duplicate],
        malformed: [...this.examples.malformed],
      },
      itemRowsRead: this.itemRowsRead,
      itemRowsBad: this.itemRowsBad,
      warnings: [...this.warnings],
    };
  }
}
