import type { EventRecord } from '../domain/events.js';
import { OUTSIDE_VARIANT_ID } from './experimentConfigSchema.js';
import type { ExperimentSet } from './experimentConfig.js';
import { proportionDifferenceInterval } from './proportionDifferenceInterval.js';
import { wilsonInterval } from './wilsonInterval.js';
import type { Interval } from './wilsonInterval.js';

/** One variant's readout. Counts are distinct (request id, item id) pairs. */
export interface VariantReadout {
  readonly variant: string;
  readonly isControl: boolean;
  /** Distinct request ids served under this variant (pages of one request count once). */
  readonly servedLists: number;
  /** Distinct (request, item) pairs served: the CTR denominator. */
  readonly servedItems: number;
  /** Distinct (request, item) CLICKs on an item of that served list. */
  readonly clicks: number;
  /** Distinct (request, item) LIKEs, attributed the same way. */
  readonly likes: number;
  /** Distinct (request, item) PURCHASEs, attributed the same way. */
  readonly purchases: number;
  /** clicks / servedItems; null when nothing was served. */
  readonly ctr: number | null;
  /** Wilson 95 % interval of the CTR; null when nothing was served. */
  readonly ctrInterval: Interval | null;
  /**
   * CTR − control CTR with its 95 % normal-approximation interval, and the
   * relative lift (difference / control CTR, null when the control CTR is 0).
   * null for the control itself or when either side served nothing.
   */
  readonly vsControl: {
    readonly difference: number;
    readonly interval: Interval;
    readonly relativeLift: number | null;
  } | null;
}

/** One experiment's readout. */
export interface ExperimentReadout {
  readonly experiment: string;
  /** The control variant id, or null when unknown (no config and no variant named `control`). */
  readonly control: string | null;
  /** Control first, then config order (or alphabetical without a config). */
  readonly variants: readonly VariantReadout[];
  /** Served lists of units outside the traffic share (variant `outside`); excluded from the readout. */
  readonly outsideServedLists: number;
}

/** The whole readout. */
export interface ExperimentReport {
  /** In config order, then the log's other experiments alphabetically. */
  readonly experiments: readonly ExperimentReadout[];
  /** Served-list records read (pages). */
  readonly servedListRecords: number;
  /** CLICK feedback records read. */
  readonly clickRecords: number;
  /** CLICK records with no request id, an unknown request id, or an item not in that list. */
  readonly unattributedClicks: number;
}

/** Options of {@link experimentReport}. */
export interface ExperimentReportOptions {
  /**
   * The config, which names each experiment's control (`variants[0]`) and the
   * variant order, and lists variants that served nothing. Without it the
   * control is the variant named `control`, if any.
   * @default undefined
   */
  readonly experiments?: ExperimentSet;
}

interface Served {
  readonly variants: Readonly<Record<string, string>>;
  readonly items: Set<string>;
}

const ATTRIBUTED_TYPES = ['CLICK', 'LIKE', 'PURCHASE'] as const;
type AttributedType = (typeof ATTRIBUTED_TYPES)[number];

/**
 * A/B readout from the event log (issue #3 §4). Served-list records are the
 * exposure log (`variants`: experiment → variant); feedback is attributed to
 * a served list by its `requestId` and counts only when its item was in that
 * list. Feedback may come before or after its served list in the log.
 *
 * Per variant: CTR = clicks / served items with a Wilson 95 % interval, and
 * the difference to the control with a 95 % normal-approximation interval.
 * These treat every served item as an independent trial; items of one user
 * are correlated, so with few users the intervals are too narrow (a delta-
 * method or per-user bootstrap interval would fix that; see docs/experiments.md).
 * Memory: O(served (request, item) pairs + attributed feedback pairs).
 */
export async function experimentReport(
  records: AsyncIterable<EventRecord> | Iterable<EventRecord>,
  options: ExperimentReportOptions = {},
): Promise<ExperimentReport> {
  const served = new Map<string, Served>();
  const feedback: Record<AttributedType, Set<string>> = {
    CLICK: new Set(),
    LIKE: new Set(),
    PURCHASE: new Set(),
  };
  let servedListRecords = 0;
  let clickRecords = 0;
  let unattributedClicks = 0;
  const clicks: { readonly requestId: string | null; readonly itemId: string }[] = [];

  for await (const r of records) {
    if (r.kind === 'served') {
      servedListRecords += 1;
      const s = served.get(r.requestId);
      if (s === undefined) {
        served.set(r.requestId, { variants: r.variants, items: new Set(r.items.map((i) => i.itemId)) });
      } else {
        for (const i of r.items) s.items.add(i.itemId);
      }
    } else if (r.kind === 'feedback' && (ATTRIBUTED_TYPES as readonly string[]).includes(r.type)) {
      const key = r.requestId === null ? null : pairKey(r.requestId, r.itemId);
      if (r.type === 'CLICK') {
        clickRecords += 1;
        clicks.push({ requestId: r.requestId, itemId: r.itemId });
      }
      if (key !== null) feedback[r.type as AttributedType].add(key);
    }
  }

  // Accumulate per experiment → variant.
  type Counts = { lists: number; items: number; clicks: number; likes: number; purchases: number };
  const byExperiment = new Map<string, Map<string, Counts>>();
  const outside = new Map<string, number>();
  for (const [requestId, s] of served) {
    const counts = { items: s.items.size, clicks: 0, likes: 0, purchases: 0 };
    for (const itemId of s.items) {
      const key = pairKey(requestId, itemId);
      if (feedback.CLICK.has(key)) counts.clicks += 1;
      if (feedback.LIKE.has(key)) counts.likes += 1;
      if (feedback.PURCHASE.has(key)) counts.purchases += 1;
    }
    for (const [experiment, variant] of Object.entries(s.variants)) {
      if (variant === OUTSIDE_VARIANT_ID) {
        outside.set(experiment, (outside.get(experiment) ?? 0) + 1);
        continue;
      }
      const variants = byExperiment.get(experiment) ?? new Map<string, Counts>();
      byExperiment.set(experiment, variants);
      const c = variants.get(variant) ?? { lists: 0, items: 0, clicks: 0, likes: 0, purchases: 0 };
      variants.set(variant, {
        lists: c.lists + 1,
        items: c.items + counts.items,
        clicks: c.clicks + counts.clicks,
        likes: c.likes + counts.likes,
        purchases: c.purchases + counts.purchases,
      });
    }
  }
  for (const { requestId, itemId } of clicks) {
    if (requestId === null || served.get(requestId)?.items.has(itemId) !== true) unattributedClicks += 1;
  }

  // Order experiments and variants, name the controls.
  const configured = options.experiments?.experiments ?? [];
  const ids = [
    ...configured.map((e) => e.id),
    ...[...new Set([...byExperiment.keys(), ...outside.keys()])]
      .filter((id) => !configured.some((e) => e.id === id))
      .sort(),
  ];
  const experiments = ids.map((id): ExperimentReadout => {
    const def = configured.find((e) => e.id === id);
    const seen = byExperiment.get(id) ?? new Map<string, Counts>();
    const seenIds = [...seen.keys()].sort();
    const control = def?.variants[0]?.id ?? (seen.has('control') ? 'control' : null);
    const variantIds = def
      ? [...def.variants.map((v) => v.id), ...seenIds.filter((v) => !def.variants.some((d) => d.id === v))]
      : [...(control === null ? [] : [control]), ...seenIds.filter((v) => v !== control)];
    const controlCounts = control === null ? undefined : seen.get(control);
    const variants = variantIds.map((variant): VariantReadout => {
      const c = seen.get(variant) ?? { lists: 0, items: 0, clicks: 0, likes: 0, purchases: 0 };
      const isControl = variant === control;
      let vsControl: VariantReadout['vsControl'] = null;
      if (!isControl && controlCounts !== undefined && controlCounts.items > 0 && c.items > 0) {
        const d = proportionDifferenceInterval(c.clicks, c.items, controlCounts.clicks, controlCounts.items);
        const controlCtr = controlCounts.clicks / controlCounts.items;
        vsControl = { ...d, relativeLift: controlCtr === 0 ? null : d.difference / controlCtr };
      }
      return {
        variant,
        isControl,
        servedLists: c.lists,
        servedItems: c.items,
        clicks: c.clicks,
        likes: c.likes,
        purchases: c.purchases,
        ctr: c.items > 0 ? c.clicks / c.items : null,
        ctrInterval: c.items > 0 ? wilsonInterval(c.clicks, c.items) : null,
        vsControl,
      };
    });
    return { experiment: id, control, variants, outsideServedLists: outside.get(id) ?? 0 };
  });
  return { experiments, servedListRecords, clickRecords, unattributedClicks };
}

function pairKey(requestId: string, itemId: string): string {
  return `${requestId}\u0000${itemId}`;
}
