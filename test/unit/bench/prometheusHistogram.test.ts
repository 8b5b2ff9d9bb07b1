import { describe, expect, it } from 'vitest';
import { parsePrometheusHistogram } from '../../../src/bench/prometheusHistogram.js';

const TEXT = `# HELP recgate_pipeline_stage_duration_seconds Duration of one pipeline stage
# TYPE recgate_pipeline_stage_duration_seconds histogram
recgate_pipeline_stage_duration_seconds_bucket{surface="home",stage="scorer onnxRanker",le="0.005"} 3
recgate_pipeline_stage_duration_seconds_sum{surface="home",stage="scorer onnxRanker"} 0.012
recgate_pipeline_stage_duration_seconds_count{surface="home",stage="scorer onnxRanker"} 4
recgate_pipeline_stage_duration_seconds_count{stage="merge",surface="home"} 2
recgate_pipeline_stage_duration_seconds_sum{stage="merge",surface="home"} 0.001
recgate_graphql_duration_seconds_sum{operation="Bench"} 9
`;

describe('parsePrometheusHistogram', () => {
  it('pairs _sum and _count per label set, whatever the label order, and skips buckets and other metrics', () => {
    const series = parsePrometheusHistogram(TEXT, 'recgate_pipeline_stage_duration_seconds');
    expect(series).toEqual([
      { labels: { surface: 'home', stage: 'scorer onnxRanker' }, sum: 0.012, count: 4 },
      { labels: { stage: 'merge', surface: 'home' }, sum: 0.001, count: 2 },
    ]);
  });

  it('unescapes label values and returns nothing for an absent metric', () => {
    const text = 'm_sum{l="a\\"b\\\\c"} 1\nm_count{l="a\\"b\\\\c"} 2\n';
    expect(parsePrometheusHistogram(text, 'm')).toEqual([{ labels: { l: 'a"b\\c' }, sum: 1, count: 2 }]);
    expect(parsePrometheusHistogram(text, 'other')).toEqual([]);
  });
});
