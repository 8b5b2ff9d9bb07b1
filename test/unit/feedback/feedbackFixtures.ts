import type { EventRecord } from '../../../src/domain/events.js';
import type { EventLog } from '../../../src/stores/eventLog.js';

/** An in-memory EventLog that records each append call and can be told to fail. */
export class RecordingEventLog implements EventLog {
  readonly name = 'recording';
  /** One entry per successful append call. */
  readonly appends: EventRecord[][] = [];
  /** When set, `append` rejects with this error and stores nothing. */
  failWith: Error | null = null;

  get records(): EventRecord[] {
    return this.appends.flat();
  }

  async append(records: readonly EventRecord[]): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.appends.push([...records]);
  }

  async *read(): AsyncIterable<EventRecord> {
    yield* this.records;
  }

  async close(): Promise<void> {}
}
