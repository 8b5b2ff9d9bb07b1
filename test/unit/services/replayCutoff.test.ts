import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../src/domain/manifest.js';
import { replayCutoff, seededHistoryTime } from '../../../src/services/replayFeedback.js';

/** The manifest fields the replay reads; the rest is not looked at. */
function manifest(
  created: string,
  training: { referenceTime: string; eventsReceivedThrough?: string | null },
) {
  return { created, training } as unknown as ModelManifest;
}

const CREATED = '2026-11-30T12:00:00.000Z';
const THROUGH = '2026-11-30T11:00:00.000Z';
const REFERENCE = '2020-01-01T00:00:00.000Z';
const NOW = Date.parse('2026-11-30T13:00:00.000Z');

describe('replayCutoff: which live feedback is replayed onto a model', () => {
  it('replays what was received after the last feedback the model was trained on', () => {
    const m = manifest(CREATED, { referenceTime: REFERENCE, eventsReceivedThrough: THROUGH });
    expect(replayCutoff(m)).toBe(Date.parse(THROUGH) + 1);
  });

  it('replays the whole event log for a model trained on no live feedback, whenever it was published', () => {
    expect(replayCutoff(manifest(CREATED, { referenceTime: REFERENCE, eventsReceivedThrough: null }))).toBe(
      -Infinity,
    );
  });

  it('keeps the publish time for a manifest written before the field existed (or with an unparsable one)', () => {
    expect(replayCutoff(manifest(CREATED, { referenceTime: REFERENCE }))).toBe(Date.parse(CREATED));
    expect(
      replayCutoff(manifest(CREATED, { referenceTime: REFERENCE, eventsReceivedThrough: 'not a time' })),
    ).toBe(Date.parse(CREATED));
  });
});

describe('seededHistoryTime: the stamp of a model’s seeded history', () => {
  it('is no later than the publish time, now, and the cut-off of the replay', () => {
    const trainedOnLog = manifest(CREATED, { referenceTime: REFERENCE, eventsReceivedThrough: THROUGH });
    expect(seededHistoryTime(trainedOnLog, NOW)).toBe(Date.parse(THROUGH));
    const old = manifest(CREATED, { referenceTime: REFERENCE });
    expect(seededHistoryTime(old, NOW)).toBe(Date.parse(CREATED));
    expect(seededHistoryTime(old, Date.parse(CREATED) - 5)).toBe(Date.parse(CREATED) - 5);
  });

  it('is the last training interaction for a model trained on no live feedback (the whole log is replayed)', () => {
    const m = manifest(CREATED, { referenceTime: REFERENCE, eventsReceivedThrough: null });
    expect(seededHistoryTime(m, NOW)).toBe(Date.parse(REFERENCE));
  });

  it('falls back to now when no time parses', () => {
    expect(
      seededHistoryTime(manifest('garbage', { referenceTime: 'x', eventsReceivedThrough: null }), NOW),
    ).toBe(NOW);
  });
});
