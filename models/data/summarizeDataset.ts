import type { InteractionType, RatingScale } from '../../src/domain/interaction.js';
import type { Dataset, DatasetFormat, ValidationReport } from './dataset.js';
import { BAD_ROW_KINDS, formatBadCounts, formatExample } from './validationReportBuilder.js';

/**
 * Distribution of a per-entity count (interactions per user or per item).
 * Quantiles interpolate linearly between order statistics (the "R-7" /
 * numpy default rule); all fields are 0 for an empty population.
 */
export interface CountDistribution {
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p90: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Headline numbers of a {@link Dataset}.
 * - `users` / `items`: distinct ids with at least one interaction;
 *   `catalogItems`: size of `Dataset.items` (includes never-interacted items).
 * - `density`: interactions / (users × items), 0 when empty.
 * - `timeRange`: first and last interaction time (ISO 8601, UTC), or `null`.
 * - `types`: interaction count per type (types that occur only).
 */
export interface DatasetSummary {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly users: number;
  readonly items: number;
  readonly catalogItems: number;
  readonly interactions: number;
  readonly density: number;
  readonly timeRange: { readonly from: string; readonly to: string } | null;
  readonly perUser: CountDistribution;
  readonly perItem: CountDistribution;
  readonly types: Readonly<Partial<Record<InteractionType, number>>>;
  readonly ratingScale: RatingScale | null;
}

/** Computes a {@link DatasetSummary} in one pass over the interactions (plus sorting the counts). */
export function summarizeDataset(ds: Dataset): DatasetSummary {
  const perUser = new Map<string, number>();
  const perItem = new Map<string, number>();
  const types: Partial<Record<InteractionType, number>> = {};
  let from = Infinity;
  let to = -Infinity;
  for (const it of ds.interactions) {
    perUser.set(it.userId, (perUser.get(it.userId) ?? 0) + 1);
    perItem.set(it.itemId, (perItem.get(it.itemId) ?? 0) + 1);
    types[it.type] = (types[it.type] ?? 0) + 1;
    if (it.timestamp < from) from = it.timestamp;
    if (it.timestamp > to) to = it.timestamp;
  }
  const n = ds.interactions.length;
  const cells = perUser.size * perItem.size;
  return {
    name: ds.name,
    format: ds.format,
    users: perUser.size,
    items: perItem.size,
    catalogItems: ds.items.size,
    interactions: n,
    density: cells === 0 ? 0 : n / cells,
    timeRange: n === 0 ? null : { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    perUser: distribution(perUser.values()),
    perItem: distribution(perItem.values()),
    types,
    ratingScale: ds.ratingScale,
  };
}

function distribution(counts: Iterable<number>): CountDistribution {
  const sorted = Float64Array.from(counts).sort();
  const n = sorted.length;
  if (n === 0) return { min: 0, p25: 0, median: 0, p75: 0, p90: 0, max: 0, mean: 0 };
  let sum = 0;
  for (const c of sorted) sum += c;
  const q = (p: number): number => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = sorted[lo] as number;
    const b = sorted[Math.min(lo + 1, n - 1)] as number;
    return a + (h - lo) * (b - a);
  };
  return {
    min: sorted[0] as number,
    p25: q(0.25),
    median: q(0.5),
    p75: q(0.75),
    p90: q(0.9),
    max: sorted[n - 1] as number,
    mean: sum / n,
  };
}

/**
 * Renders a summary and its validation report as a multi-line text block
 * (no trailing newline), e.g.
 *
 * ```
 * Dataset ml-latest-small (movielens)
 *   interactions  100,836 (RATING 100,836)
 *   users         610
 *   items         9,724 interacted, 9,742 in catalog
 *   density       1.7%
 *   time range    1996-03-29T18:36:55.000Z .. 2018-09-24T14:27:30.000Z
 *   per user      min 20, p25 35, median 70.5, p75 168, p90 …, max 2,698, mean 165.3
 *   per item      …
 *   rating scale  0.5..5, positive ≥ 4
 * Validation: read 100,840 rows, kept 100,836; skipped 4 bad rows: 3 missing id, 1 duplicate
 *   ratings.csv:17: missing user id
 *   …
 * ```
 * Item-file counts and warnings follow when present.
 */
export function formatDatasetSummary(summary: DatasetSummary, report: ValidationReport): string {
  const typeCounts = Object.entries(summary.types)
    .map(([t, c]) => `${t} ${num(c)}`)
    .join(', ');
  const lines = [
    `Dataset ${summary.name} (${summary.format})`,
    `  interactions  ${num(summary.interactions)}${typeCounts === '' ? '' : ` (${typeCounts})`}`,
    `  users         ${num(summary.users)}`,
    `  items         ${num(summary.items)} interacted, ${num(summary.catalogItems)} in catalog`,
    `  density       ${formatDensity(summary.density)}`,
    `  time range    ${summary.timeRange === null ? '-' : `${summary.timeRange.from} .. ${summary.timeRange.to}`}`,
    `  per user      ${formatDistribution(summary.perUser)}`,
    `  per item      ${formatDistribution(summary.perItem)}`,
    `  rating scale  ${
      summary.ratingScale === null
        ? 'none (implicit feedback)'
        : `${summary.ratingScale.min}..${summary.ratingScale.max}, positive ≥ ${summary.ratingScale.positiveThreshold}`
    }`,
  ];
  const badTotal = BAD_ROW_KINDS.reduce((s, k) => s + report.bad[k], 0);
  lines.push(
    `Validation: read ${num(report.rowsRead)} rows, kept ${num(report.rowsKept)}; ` +
      (badTotal === 0 ? 'no bad rows' : `skipped ${num(badTotal)} bad rows: ${formatBadCounts(report.bad)}`),
  );
  for (const kind of BAD_ROW_KINDS) {
    for (const example of report.examples[kind]) lines.push(`  ${formatExample(example)}`);
  }
  if (report.itemRowsRead > 0 || report.itemRowsBad > 0) {
    lines.push(`Item rows: read ${num(report.itemRowsRead)}, skipped ${num(report.itemRowsBad)}`);
  }
  if (report.warnings.length > 0) {
    lines.push(`Warnings (${report.warnings.length}):`);
    for (const w of report.warnings) lines.push(`  ${w}`);
  }
  return lines.join('\n');
}

function formatDistribution(d: CountDistribution): string {
  return (
    `min ${num(d.min)}, p25 ${num(d.p25)}, median ${num(d.median)}, p75 ${num(d.p75)}, ` +
    `p90 ${num(d.p90)}, max ${num(d.max)}, mean ${num(d.mean)}`
  );
}

/** Density as a percentage with 3 significant digits (`1.7%`, `0.0575%`). */
function formatDensity(density: number): string {
  return density === 0 ? '0%' : `${Number((density * 100).toPrecision(3))}%`;
}

/** `100836` → `100,836`; non-integers with at most 1 decimal (`70.5`, `165.3`). */
function num(x: number): string {
  const rounded = Number.isInteger(x) ? x : Math.round(x * 10) / 10;
  const [int = '', frac] = String(Math.abs(rounded)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}
