import { describe, expect, it } from 'vitest';
import type { EventRecord, FeedbackRecord, ServedListRecord } from '../../../src/domain/events.js';
import type { InteractionType } from '../../../src/domain/interaction.js';
import { parseExperimentConfig } from '../../../src/experiments/experimentConfig.js';
import { experimentReport } from '../../../src/experiments/experimentReport.js';

let seq = 0;
function served(requestId: string, variants: Record<string, string>, itemIds: string[]): ServedListRecord {
  return {
    kind: 'served',
    eventId: `e${(seq += 1)}`,
    requestId,
    userId: 'u',
    surface: 'home',
    timestamp: seq,
    modelVersion: 'v1',
    variants,
    items: itemIds.map((itemId, i) => ({
      itemId,
      rank: i + 1,
      score: 1 - i / 10,
      sources: ['POPULAR'],
      features: null,
    })),
  };
}
function feedback(type: InteractionType, requestId: string | null, itemId: string): FeedbackRecord {
  return {
    kind: 'feedback',
    eventId: `e${(seq += 1)}`,
    userId: 'u',
    itemId,
    type,
    value: null,
    requestId,
    timestamp: seq,
    receivedAt: seq,
    context: null,
  };
}

/**
 * The hand-worked log. mmr: control serves r1 (a b c d) and r3 (e f): 2 lists,
 * 6 items; clicks r1·a (sent twice, counted once) and r3·e → 2 clicks, CTR 1/3.
 * treat serves r2 (a b, then page 2 c d) and r5 (x y): 2 lists, 6 items;
 * clicks r2·c, r2·d and r5·x (logged before its list) → 3 clicks, CTR 1/2.
 * Unattributed clicks: r1·z (not in r1), no request id, unknown r9 → 3.
 * r1 is also "outside" of experiment expl; r4 has no experiment.
 */
const LOG: EventRecord[] = [
  feedback('CLICK', 'r5', 'x'),
  served('r1', { mmr: 'control', expl: 'outside' }, ['a', 'b', 'c', 'd']),
  served('r2', { mmr: 'treat' }, ['a', 'b']),
  served('r2', { mmr: 'treat' }, ['c', 'd']),
  served('r3', { mmr: 'control' }, ['e', 'f']),
  served('r4', {}, ['a']),
  feedback('CLICK', 'r1', 'a'),
  feedback('CLICK', 'r1', 'a'),
  feedback('CLICK', 'r1', 'z'),
  feedback('CLICK', 'r2', 'c'),
  feedback('CLICK', 'r2', 'd'),
  feedback('CLICK', null, 'a'),
  feedback('CLICK', 'r9', 'a'),
  feedback('LIKE', 'r1', 'b'),
  feedback('PURCHASE', 'r3', 'e'),
  feedback('CLICK', 'r3', 'e'),
  feedback('VIEW', 'r3', 'f'),
  feedback('CLICK', 'r4', 'a'),
  served('r5', { mmr: 'treat' }, ['x', 'y']),
];

describe('experimentReport', () => {
  it('counts lists, items and attributed feedback per variant, each (request, item) once', async () => {
    const report = await experimentReport(LOG);
    expect(report.servedListRecords).toBe(6); // r1, r2 (two pages), r3, r4, r5
    expect(report.clickRecords).toBe(10); // r4·a is attributed but in no experiment
    expect(report.unattributedClicks).toBe(3);
    expect(report.experiments.map((e) => e.experiment)).toEqual(['expl', 'mmr']);
    const mmr = report.experiments[1]!;
    expect(mmr.control).toBe('control');
    expect(mmr.outsideServedLists).toBe(0);
    expect(
      mmr.variants.map((v) => [
        v.variant,
        v.isControl,
        v.servedLists,
        v.servedItems,
        v.clicks,
        v.likes,
        v.purchases,
      ]),
    ).toEqual([
      ['control', true, 2, 6, 2, 1, 1],
      ['treat', false, 2, 6, 3, 0, 0],
    ]);
  });

  it('gives CTR with a Wilson 95 % interval and the difference to control with a 95 % interval', async () => {
    const [control, treat] = (await experimentReport(LOG)).experiments[1]!.variants;
    expect(control?.ctr).toBeCloseTo(1 / 3, 12);
    expect(control?.vsControl).toBeNull();
    expect(treat?.ctr).toBe(0.5);
    // Wilson, 3/6: centre (0.5 + z²/12)/(1 + z²/6) = 0.5; half = z/1.640243 · √(1/24 + z²/144)
    // = 1.194920 · 0.261425 = 0.312383.
    expect(treat?.ctrInterval?.low).toBeCloseTo(0.187617, 5);
    expect(treat?.ctrInterval?.high).toBeCloseTo(0.812383, 5);
    // d = 1/2 − 1/3 = 0.166667; SE = √(0.25/6 + (2/9)/6) = 0.280542; 1.959964 · SE = 0.549852.
    expect(treat?.vsControl?.difference).toBeCloseTo(0.166667, 5);
    expect(treat?.vsControl?.interval.low).toBeCloseTo(-0.383185, 5);
    expect(treat?.vsControl?.interval.high).toBeCloseTo(0.716519, 5);
    expect(treat?.vsControl?.relativeLift).toBeCloseTo(0.5, 12);
  });

  it('counts units outside the traffic share apart and leaves them out of the readout', async () => {
    const expl = (await experimentReport(LOG)).experiments[0]!;
    expect(expl).toEqual({ experiment: 'expl', control: null, variants: [], outsideServedLists: 1 });
  });

  it('takes the control and variant order from the config, listing variants that served nothing', async () => {
    const experiments = {
      source: 'test',
      experiments: parseExperimentConfig(
        {
          experiments: [
            {
              id: 'mmr',
              trafficPercent: 50,
              variants: [
                { id: 'treat', weight: 1 },
                { id: 'control', weight: 1 },
                { id: 'unused', weight: 1 },
              ],
            },
          ],
        },
        'test',
      ),
    };
    const report = await experimentReport(LOG, { experiments });
    expect(report.experiments.map((e) => e.experiment)).toEqual(['mmr', 'expl']);
    const mmr = report.experiments[0]!;
    expect(mmr.control).toBe('treat');
    expect(mmr.variants.map((v) => v.variant)).toEqual(['treat', 'control', 'unused']);
    expect(mmr.variants[1]?.vsControl?.difference).toBeCloseTo(-0.166667, 5);
    expect(mmr.variants[2]).toMatchObject({ servedItems: 0, ctr: null, ctrInterval: null, vsControl: null });
  });

  it('reads an async iterable like an array', async () => {
    async function* stream() {
      yield* LOG;
    }
    expect(await experimentReport(stream())).toEqual(await experimentReport(LOG));
  });

  it('reports nothing for an empty log', async () => {
    expect(await experimentReport([])).toEqual({
      experiments: [],
      servedListRecords: 0,
      clickRecords: 0,
      unattributedClicks: 0,
    });
  });
});
