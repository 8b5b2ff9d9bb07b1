import type { FeedbackRecord } from '../domain/events.js';
import type { EventLog } from '../stores/eventLog.js';
import type { FeedbackService } from './feedbackService.js';

/** Records per `FeedbackService.replay` call of {@link replayFeedback}. */
const REPLAY_BATCH = 1000;

/**
 * Replays the feedback the event log received after the model was published
 * (`receivedAt` ≥ `since`), in log order and in batches of 1000
 * (`FeedbackService.replay`: applied to `feedback`'s store, never appended
 * again), so a store that starts from the model's snapshot serves what users
 * have told the gateway since. Earlier events are either in the model's
 * training data or predate it. The one code path of the three replays: at
 * start-up (in-process store), into the new store of a model reload, and into
 * a shared store seeded again after it lost its data (`Backends.repairSeed`).
 * Events appended while it reads are replayed when the read reaches them.
 * @param since Unix ms, the served model's publish time (the manifest's
 *   `created`); NaN replays nothing.
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
    }
  }
  if (batch.length > 0) await feedback.replay(batch);
  return applied;
}
