import type { FeedbackRecord } from '../domain/events.js';
import type { ModelManifest } from '../domain/manifest.js';
import { yieldToEventLoop } from '../pipeline/yieldToEventLoop.js';
import type { EventLog } from '../stores/eventLog.js';
import type { FeedbackService } from './feedbackService.js';

/**
 * The first `receivedAt` (Unix ms) whose feedback is replayed onto `manifest`'s
 * model: what the event log received after the feedback the model was trained
 * on (`training.eventsReceivedThrough` + 1 ms); −Infinity (the whole log) for
 * a model trained on no live feedback (null), since none of it is in the
 * model; the publish time (`created`) for a manifest without the field
 * (written before it existed), as before. Feedback received while a model
 * trains is thereby not lost when it is published.
 */
export function replayCutoff(manifest: ModelManifest): number {
  const through = manifest.training.eventsReceivedThrough;
  if (through === null) return -Infinity;
  const t = through === undefined ? NaN : Date.parse(through);
  return Number.isFinite(t) ? t + 1 : Date.parse(manifest.created);
}

/**
 * The time (Unix ms) a model's seeded history entries are stamped with, so
 * the feedback replayed onto them ({@link replayCutoff}) and live feedback sort
 * before them: the publish time, not later than `now`, and for a model
 * trained on the event log not later than the last feedback it was trained
 * on; for one trained on none, not later than its last training interaction
 * (`referenceTime`), since the whole log is replayed.
 * @returns Unix ms; `now` when the manifest's times do not parse.
 */
export function seededHistoryTime(manifest: ModelManifest, now: number): number {
  const through = manifest.training.eventsReceivedThrough;
  const bound =
    through === null
      ? Date.parse(manifest.training.referenceTime)
      : through === undefined
        ? NaN
        : Date.parse(through);
  const times = [Date.parse(manifest.created), bound].filter(Number.isFinite);
  return Math.min(now, ...times);
}

/**
 * Records per `FeedbackService.replay` call of {@link replayFeedback}, each
 * call followed by an event-loop turn. On the memory store a call runs as one
 * task (its awaits resolve as microtasks). Recording feedback costs up to
 * ~30 µs of CPU per event on the 2-core bench host (BENCHMARKS.md, the
 * `feedbackBatch` row: 3.2 ms per 100 events, HTTP and the log append
 * included), so a call of 250 holds the loop at most ~8 ms, where 1,000 could
 * hold it ~30 ms while a reload replayed into a serving gateway.
 */
export const REPLAY_BATCH = 250;

/**
 * Replays the feedback the event log received since `since` (`receivedAt` ≥
 * `since`: {@link replayCutoff} of the served model), in log order and in batches of
 * {@link REPLAY_BATCH} with an event-loop turn after each (`FeedbackService.replay`:
 * applied to `feedback`'s store, never appended again), so a store that starts from the model's snapshot serves what users
 * have told the gateway since. Earlier events are in the model's training
 * data. The one code path of the three replays: at
 * start-up (in-process store), into the new store of a model reload, and into
 * a shared store seeded again after it lost its data (`Backends.repairSeed`).
 * Events appended while it reads are replayed when the read reaches them.
 * @param since Unix ms ({@link replayCutoff}); −Infinity replays the whole
 *   log, NaN nothing.
 * @returns the ids of the feedback events replayed (its `size` is the count),
 *   for `FeedbackService.holdUpdates`' `resume`.
 * @throws whatever the event log's `read` throws (a store write that fails is
 *   reported per event by the service and does not stop the replay).
 */
export async function replayFeedback(
  eventLog: EventLog,
  feedback: FeedbackService,
  since: number,
): Promise<Set<string>> {
  let batch: FeedbackRecord[] = [];
  const applied = new Set<string>();
  for await (const record of eventLog.read()) {
    if (record.kind !== 'feedback' || !(record.receivedAt >= since)) continue;
    applied.add(record.eventId);
    batch.push(record);
    if (batch.length >= REPLAY_BATCH) {
      await feedback.replay(batch);
      batch = [];
      // Requests that arrived meanwhile are served before the next batch.
      await yieldToEventLoop();
    }
  }
  if (batch.length > 0) await feedback.replay(batch);
  return applied;
}
