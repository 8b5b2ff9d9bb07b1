import type { EventRecord } from '../../domain/events.js';
import type { EventLog } from '../eventLog.js';
import type { CircuitBreaker } from './circuitBreaker.js';

/**
 * An {@link EventLog} whose appends run within a circuit breaker's time
 * budget: when the log's backend (Redis) is slow or down, `append` rejects
 * within the budget (or at once while the circuit is open), so feedback
 * answers `UNAVAILABLE` promptly instead of waiting. There is no fallback:
 * an event is accepted only once the real log has it.
 *
 * A timed-out append is not cancelled: the backend may still write it after
 * the client was told UNAVAILABLE (at-least-once; a retried event gets a new
 * eventId). An accepted event is never missing.
 */
export class BudgetedEventLog implements EventLog {
  readonly name: string;

  constructor(
    private readonly log: EventLog,
    private readonly breaker: CircuitBreaker,
  ) {
    this.name = log.name;
  }

  /** @throws DependencyUnavailableError when the append fails, times out or the circuit is open. */
  append(records: readonly EventRecord[]): Promise<void> {
    return this.breaker.call(() => this.log.append(records));
  }

  /** Reads the underlying log (no budget: replay and export may take long). */
  read(): AsyncIterable<EventRecord> {
    return this.log.read();
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
