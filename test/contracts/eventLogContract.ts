import { describe, expect, it } from 'vitest';
import type { EventRecord, FeedbackRecord } from '../../src/domain/events.js';
import type { EventLog } from '../../src/stores/eventLog.js';

/**
 * Gives a fresh, empty log for one test, and a way to open the same log again
 * (a new handle or connection) to check what was made durable.
 */
export type EventLogFactory = () => Promise<{ log: EventLog; reopen: () => Promise<EventLog> }>;

/** A feedback record numbered `n` (call `c`), for order checks. */
export function feedbackRecord(n: number, c = 0): FeedbackRecord {
  return {
    kind: 'feedback',
    eventId: `e${c}-${n}`,
    userId: `u${c}`,
    itemId: `i${n}`,
    type: 'CLICK',
    value: null,
    requestId: null,
    timestamp: Date.UTC(2024, 0, 1) + n,
    receivedAt: Date.UTC(2024, 0, 1) + n,
    context: { device: 'web', note: 'a "quoted"\nline' },
  };
}

/** Every record of a log, in read order. */
export async function readAll(log: EventLog): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  for await (const r of log.read()) out.push(r);
  return out;
}

/**
 * The EventLog contract (conventions.md §5), the same for the file log and
 * Redis Streams: append order, one call's records kept together under
 * concurrency, durability across a reopen, all three record kinds round-trip.
 */
export function eventLogContract(name: string, make: EventLogFactory): void {
  describe(`EventLog contract: ${name}`, () => {
    it('reads nothing from a new log', async () => {
      const { log } = await make();
      expect(await readAll(log)).toEqual([]);
      await log.close();
    });

    it('reads records back field for field, in append order, for every record kind', async () => {
      const { log } = await make();
      const records: EventRecord[] = [
        feedbackRecord(1),
        {
          kind: 'impression',
          eventId: 'imp',
          requestId: 'r',
          userId: null,
          itemIds: ['a', 'b'],
          timestamp: 5,
        },
        {
          kind: 'served',
          eventId: 'srv',
          requestId: 'r',
          userId: 'u',
          surface: 'home',
          timestamp: 6,
          modelVersion: 'v1',
          variants: { exp: 'control' },
          items: [{ itemId: 'a', rank: 1, score: 0.5, sources: ['POPULAR'], features: [0, 1.5] }],
        },
      ];
      await log.append(records.slice(0, 1));
      await log.append(records.slice(1));
      await log.append([]);
      expect(await readAll(log)).toEqual(records);
      await log.close();
    });

    it('keeps each call’s records together and in call order under 50 concurrent appends', async () => {
      const { log } = await make();
      const calls = Array.from({ length: 50 }, (_, c) =>
        Array.from({ length: 20 }, (_, n) => feedbackRecord(n, c)),
      );
      await Promise.all(calls.map((records) => log.append(records)));
      const back = (await readAll(log)) as FeedbackRecord[];
      expect(back.length).toBe(1000);
      for (let c = 0; c < 50; c++) expect(back.slice(c * 20, (c + 1) * 20)).toEqual(calls[c]);
      await log.close();
    });

    it('still holds every appended record after close and reopen', async () => {
      const { log, reopen } = await make();
      await log.append([feedbackRecord(1), feedbackRecord(2)]);
      await log.close();
      const again = await reopen();
      await again.append([feedbackRecord(3)]);
      expect((await readAll(again)).map((r) => r.eventId)).toEqual(['e0-1', 'e0-2', 'e0-3']);
      await again.close();
    });
  });
}
