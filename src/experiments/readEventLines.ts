import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { EventRecord } from '../domain/events.js';

/**
 * The fields the experiment report relies on, per record kind; other fields
 * pass through unchecked (records gain fields over time, never lose them).
 */
const eventLineSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('served'),
    requestId: z.string(),
    variants: z.record(z.string(), z.string()),
    items: z.array(z.looseObject({ itemId: z.string() })),
  }),
  z.looseObject({
    kind: z.literal('feedback'),
    itemId: z.string(),
    type: z.string(),
    requestId: z.string().nullable(),
  }),
  z.looseObject({ kind: z.literal('impression'), requestId: z.string(), itemIds: z.array(z.string()) }),
]);

/**
 * Streams the records of a JSON Lines event log (the `FileEventLog` format:
 * one `EventRecord` per line, UTF-8). Blank lines are ignored. A line that is
 * not JSON, or lacks the fields above, or has an unknown `kind`, is skipped
 * and reported to `onMalformed` with its 1-based line number.
 * Only the fields above are checked; the rest are trusted as written.
 * @throws the stream's error (e.g. ENOENT) when the file cannot be read.
 */
export async function* readEventLines(
  path: string,
  onMalformed: (lineNumber: number, reason: string) => void = () => {},
): AsyncGenerator<EventRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      onMalformed(lineNumber, 'not JSON');
      continue;
    }
    const parsed = eventLineSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      onMalformed(lineNumber, issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'invalid');
      continue;
    }
    yield raw as EventRecord;
  }
}
