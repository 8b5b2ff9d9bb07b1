import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import { describeRedisTarget, redisTargetFromEnv } from '../stores/redis/redisConnection.js';
import { DEFAULT_EVENT_STREAM, DEFAULT_REDIS_URL, RedisEventLog } from '../stores/redis/redisEventLog.js';
import { progressLog } from './progressLog.js';

/** Records between two progress lines. */
const PROGRESS_EVERY = 100_000;

/**
 * `recgate export-events`: streams the Redis event log to a JSON Lines file
 * in the `FileEventLog` format (one `EventRecord` per line, UTF-8), with
 * progress on stderr and a summary on stdout. The file is written next to
 * its destination as `<out>.partial` and renamed when complete, so a failed
 * export never leaves a truncated file under the requested name.
 */
export function registerExportEvents(program: Command): void {
  program
    .command('export-events')
    .description(
      'export the Redis Streams event log to JSON Lines (the FileEventLog format) for offline tools',
    )
    .requiredOption('--out <file.jsonl>', 'the JSON Lines file to write (replaced if it exists)')
    .option(
      '--redis-url <url>',
      `Redis URL (default: $REDIS_CLUSTER_NODES when set, else $REDIS_URL or ${DEFAULT_REDIS_URL})`,
    )
    .option(
      '--stream <name>',
      `the event stream key (default: $RECGATE_EVENT_STREAM or ${DEFAULT_EVENT_STREAM})`,
      process.env['RECGATE_EVENT_STREAM'] || DEFAULT_EVENT_STREAM,
    )
    .option('--quiet', 'no progress on stderr')
    .action(async (o: { out: string; redisUrl?: string; stream: string; quiet?: boolean }) => {
      const log = progressLog({ quiet: o.quiet ?? false });
      const target = o.redisUrl === undefined ? redisTargetFromEnv() : { url: o.redisUrl };
      const url = describeRedisTarget(target);
      const events = await RedisEventLog.connect({ ...target, stream: o.stream });
      const partial = `${o.out}.partial`;
      try {
        log(`exporting stream ${o.stream} from ${url}`);
        await mkdir(dirname(o.out), { recursive: true });
        const file = createWriteStream(partial, { encoding: 'utf8' });
        const failed = once(file, 'error').then(([err]) => Promise.reject(err as Error));
        failed.catch(() => undefined);
        let count = 0;
        for await (const record of events.read()) {
          if (!file.write(`${JSON.stringify(record)}\n`)) await Promise.race([once(file, 'drain'), failed]);
          if (++count % PROGRESS_EVERY === 0) log(`${count} records`);
        }
        file.end();
        await Promise.race([once(file, 'finish'), failed]);
        await rename(partial, o.out);
        const { skipped } = events.lastRead;
        log(`done: ${count} records${skipped > 0 ? `, ${skipped} unparsable entries skipped` : ''}`);
        if (count === 0)
          log(
            `warning: stream ${o.stream} is empty or does not exist (check --stream / RECGATE_EVENT_STREAM)`,
          );
        process.stdout.write(`exported ${count} records from ${o.stream} to ${o.out}\n`);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      } finally {
        await events.close();
      }
    });
}
