import { describe, expect, it } from 'vitest';
import type { EventRecord, FeedbackRecord } from '../../../src/domain/events.js';
import { REPLAY_BATCH, replayFeedback } from '../../../src/services/replayFeedback.js';
import type { FeedbackService } from '../../../src/services/feedbackService.js';
import type { EventLog } from '../../../src/stores/eventLog.js';
import { loopTurns } from '../../support/loopTurns.js';

/**
 * A replay into a serving gateway (a model reload, a re-seed) must leave the
 * event loop turning: a memory-store `FeedbackService.replay` call is one task,
 * so replayFeedback hands it at most REPLAY_BATCH events and then yields.
 */
function feedback(k: number): FeedbackRecord {
  return {
    kind: 'feedback',
    eventId: `e${k}`,
    userId: `u${k % 97}`,
    itemId: `i${k % 13}`,
    type: 'CLICK',
    value: null,
    requestId: null,
    timestamp: 1_000 + k,
    receivedAt: 1_000 + k,
    context: null,
  };
}

/** An event log whose read yields its records without any I/O (no event-loop turn of its own). */
function logOf(records: readonly EventRecord[]): EventLog {
  return {
    async *read() {
      yield* records;
    },
  } as unknown as EventLog;
}

describe('replayFeedback: batches and event-loop turns', () => {
  it('applies every event once, in log order, at most REPLAY_BATCH per event-loop turn', async () => {
    const n = 4 * REPLAY_BATCH + 17;
    const records: EventRecord[] = Array.from({ length: n }, (_, k) => feedback(k));
    // One served record in the middle: not feedback, not replayed.
    records.splice(300, 0, { kind: 'served', requestId: 'r' } as unknown as EventRecord);
    const loop = loopTurns();
    const perTurn = new Map<number, number>();
    const applied: string[] = [];
    const service = {
      async replay(batch: readonly FeedbackRecord[]) {
        perTurn.set(loop.turn(), (perTurn.get(loop.turn()) ?? 0) + batch.length);
        for (const r of batch) applied.push(r.eventId);
      },
    } as unknown as FeedbackService;
    try {
      const ids = await replayFeedback(logOf(records), service, -Infinity);
      expect(ids.size).toBe(n);
    } finally {
      loop.stop();
    }
    expect(applied).toEqual(Array.from({ length: n }, (_, k) => `e${k}`));
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(REPLAY_BATCH);
    expect(perTurn.size).toBeGreaterThanOrEqual(Math.ceil(n / REPLAY_BATCH));
  });

  it('replays only what was received from `since` on', async () => {
    const records = Array.from({ length: 10 }, (_, k) => feedback(k));
    const applied: string[] = [];
    const service = {
      async replay(batch: readonly FeedbackRecord[]) {
        for (const r of batch) applied.push(r.eventId);
      },
    } as unknown as FeedbackService;
    const ids = await replayFeedback(logOf(records), service, 1_005);
    expect([...ids]).toEqual(['e5', 'e6', 'e7', 'e8', 'e9']);
    expect(applied).toEqual(['e5', 'e6', 'e7', 'e8', 'e9']);
  });
});
