/** Sum and count of one labelled series of a Prometheus histogram. */
export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** `<name>_sum`, in the metric's unit (seconds for `*_seconds`). */
  readonly sum: number;
  /** `<name>_count`. */
  readonly count: number;
}

/**
 * Reads the `<name>_sum` and `<name>_count` samples of histogram `name`
 * from a Prometheus text exposition (format 0.0.4), one entry per label set
 * (label order is ignored; `le` buckets are skipped). Series with a sum but
 * no count (or the reverse) get 0 for the missing one.
 * Example: `recgate_pipeline_stage_duration_seconds` from GET /metrics.
 */
export function parsePrometheusHistogram(text: string, name: string): HistogramSeries[] {
  const series = new Map<string, { labels: Record<string, string>; sum: number; count: number }>();
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue;
    const m = line.exec(raw.trim());
    if (m === null) continue;
    const [, metric, labelText, value] = m;
    const kind = metric === `${name}_sum` ? 'sum' : metric === `${name}_count` ? 'count' : null;
    if (kind === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let s = series.get(key);
    if (s === undefined) series.set(key, (s = { labels, sum: 0, count: 0 }));
    s[kind] = Number(value);
  }
  return [...series.values()];
}
