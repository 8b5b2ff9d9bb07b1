import type { ChainableCommander } from 'ioredis';

/** How many command timeouts a pipeline or MULTI may take in all (see {@link execWithDeadline}). */
export const PIPELINE_DEADLINE_FACTOR = 2;

/**
 * Runs `p.exec()` (a pipeline or MULTI) but gives up after `deadlineMs`.
 *
 * Why: ioredis arms `commandTimeout` once per command. When a Cluster
 * pipeline is retried (after `MOVED` or a closed connection, e.g. while a
 * master is down), the retried commands are not re-armed, and the pipeline
 * can wait forever on a node that never answers (observed with ioredis 5.8.2
 * and a killed master; redisCluster.test.ts pins it). Single commands and
 * single-server pipelines are bounded by ioredis itself; this bound only
 * matters as a backstop, so callers pass a multiple of the command timeout.
 *
 * @param deadlineMs > 0, in ms.
 * @returns what `exec()` returns: `[error, reply]` per command, or null when
 *   a MULTI was aborted (WATCH).
 * @throws Error `Redis pipeline of <n> commands got no complete reply within
 *   <deadlineMs> ms` at the deadline (a late outcome is then ignored); or the
 *   rejection of `exec()` itself.
 */
export async function execWithDeadline(
  p: ChainableCommander,
  deadlineMs: number,
): Promise<[error: Error | null, result: unknown][] | null> {
  const run = p.exec();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`Redis pipeline of ${p.length} commands got no complete reply within ${deadlineMs} ms`),
        ),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
    run.catch(() => undefined); // settled late, after the deadline: nobody listens any more
  }
}
