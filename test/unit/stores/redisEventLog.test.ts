import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisEventLog } from '../../../src/stores/redis/redisEventLog.js';
import { FileEventLog } from '../../../src/stores/file/fileEventLog.js';
import { eventLogContract, feedbackRecord, readAll } from '../../contracts/eventLogContract.js';
import { recgate, removeTempDirs, tempDir } from '../../e2e/cliHarness.js';

/**
 * RedisEventLog against the real local Redis (never mocked): the shared
 * EventLog contract, its MAXLEN policy and error behaviour, and
 * `recgate export-events` end to end. Each test uses its own stream key,
 * deleted afterwards.
 */
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
admin.on('error', () => undefined);
const streams: string[] = [];

/** A fresh stream key, deleted in `afterAll`. */
function freshStream(): string {
  const stream = `recgate-test:${randomUUID()}:events`;
  streams.push(stream);
  return stream;
}

beforeAll(async () => {
  try {
    await admin.connect();
    await admin.ping();
  } catch (err) {
    throw new Error(
      `these tests need a real Redis at ${url} (set REDIS_URL; CI provides one): ${(err as Error).message}`,
      { cause: err },
    );
  }
});

afterAll(async () => {
  if (streams.length > 0) await admin.del(...streams).catch(() => undefined);
  admin.disconnect();
  removeTempDirs();
});

eventLogContract('redis', async () => {
  const stream = freshStream();
  return {
    log: await RedisEventLog.connect({ url, stream }),
    reopen: () => RedisEventLog.connect({ url, stream }),
  };
});

describe('RedisEventLog', () => {
  it('stores each record as one stream entry whose field r is the record JSON', async () => {
    const stream = freshStream();
    const log = await RedisEventLog.connect({ url, stream });
    await log.append([feedbackRecord(1), feedbackRecord(2)]);
    const entries = await admin.xrange(stream, '-', '+');
    expect(entries.map(([, fields]) => fields)).toEqual([
      ['r', JSON.stringify(feedbackRecord(1))],
      ['r', JSON.stringify(feedbackRecord(2))],
    ]);
    await log.close();
  });

  it('skips and counts entries without a parsable record, reading across XRANGE pages', async () => {
    const stream = freshStream();
    const log = await RedisEventLog.connect({ url, stream });
    await log.append(Array.from({ length: 1500 }, (_, n) => feedbackRecord(n)));
    await admin.xadd(stream, '*', 'r', '{"torn');
    await admin.xadd(stream, '*', 'other', '{"kind":"feedback"}');
    await admin.xadd(stream, '*', 'r', '[1]');
    await log.append([feedbackRecord(1500)]);
    const back = await readAll(log);
    expect(back.map((r) => r.eventId)).toEqual(Array.from({ length: 1501 }, (_, n) => `e0-${n}`));
    expect(log.lastRead).toEqual({ records: 1501, skipped: 3 });
    await log.close();
  });

  it('trims the stream approximately to maxLen, and never with maxLen 0', async () => {
    const trimmed = freshStream();
    const unbounded = freshStream();
    const small = await RedisEventLog.connect({ url, stream: trimmed, maxLen: 10 });
    const all = await RedisEventLog.connect({ url, stream: unbounded, maxLen: 0 });
    const records = Array.from({ length: 1000 }, (_, n) => feedbackRecord(n));
    await small.append(records);
    await all.append(records);
    const kept = await admin.xlen(trimmed);
    expect(kept).toBeGreaterThanOrEqual(10);
    expect(kept).toBeLessThan(1000);
    // What is kept is the newest records, still in order.
    const back = await readAll(small);
    expect(back).toEqual(records.slice(1000 - kept));
    expect(await admin.xlen(unbounded)).toBe(1000);
    await small.close();
    await all.close();
  });

  it('rejects an append when Redis refuses it, and after close', async () => {
    const stream = freshStream();
    await admin.set(stream, 'not a stream');
    const log = await RedisEventLog.connect({ url, stream });
    await expect(log.append([feedbackRecord(1)])).rejects.toThrow(/WRONGTYPE/);
    await log.close();
    await expect(log.append([feedbackRecord(2)])).rejects.toThrow(/closed/);
  });

  it('fails to connect with a message naming the URL', async () => {
    await expect(RedisEventLog.connect({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/,
    );
  });

  it('refuses a negative maxLen', async () => {
    await expect(RedisEventLog.connect({ url, maxLen: -1 })).rejects.toThrow(RangeError);
  });
});

describe('recgate export-events', () => {
  it('prints its usage with every option', async () => {
    const r = await recgate(['export-events', '--help'], tempDir());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('Usage: recgate export-events [options]\n'), r.stdout).toBe(true);
    for (const m of [
      '--out <file.jsonl>',
      '--redis-url <url>',
      '$REDIS_URL',
      '--stream <name>',
      'recgate:events',
    ]) {
      expect(r.stdout, m).toContain(m);
    }
  });

  it('writes the stream as JSON Lines that FileEventLog reads back record for record', async () => {
    const stream = freshStream();
    const log = await RedisEventLog.connect({ url, stream });
    const records = Array.from({ length: 2500 }, (_, n) => feedbackRecord(n, n % 3));
    await log.append(records);
    await admin.xadd(stream, '*', 'r', 'not json');
    await log.close();

    const dir = tempDir();
    const out = join(dir, 'nested', 'events.jsonl');
    const r = await recgate(['export-events', '--out', out, '--redis-url', url, '--stream', stream], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`exported 2500 records from ${stream} to ${out}\n`);
    expect(r.stderr).toContain('1 unparsable entries skipped');

    expect(readFileSync(out, 'utf8')).toBe(records.map((x) => `${JSON.stringify(x)}\n`).join(''));
    const file = new FileEventLog({ path: out });
    expect(await readAll(file)).toEqual(records);
    await file.close();
  });

  it('exits 1 with one line naming the URL when Redis is unreachable, writing no file', async () => {
    const dir = tempDir();
    const out = join(dir, 'events.jsonl');
    const r = await recgate(['export-events', '--out', out, '--redis-url', 'redis://127.0.0.1:1'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^recgate: error: cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    expect(() => readFileSync(out)).toThrow();
  });
});
