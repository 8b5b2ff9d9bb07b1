import { NotSentError } from '../notSentError.js';
import type { RedisClient } from './redisConnection.js';

/**
 * The rejections ioredis 5.8 gives a command it refused BEFORE writing it to
 * the socket (`Redis.sendCommand` and `Cluster.sendCommand` with
 * `enableOfflineQueue` false, which `createRedisClient` sets once connected).
 * "Connection is closed." is not among them: ioredis also rejects commands
 * already sent with it when the connection drops. Pinned by
 * test/unit/feedback/feedbackRetryRedis.test.ts against a real server.
 */
const REFUSED_BEFORE_SEND = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
];

/**
 * Runs `send` (commands on `client`) unless the client is not connected, and
 * tells the two kinds of failure apart:
 * - the client's status is not `ready` (reconnecting, closed): nothing is
 *   sent and it throws {@link NotSentError} at once;
 * - `send` rejects with one of ioredis's refusals before sending
 *   ({@link REFUSED_BEFORE_SEND}): throws {@link NotSentError} with that
 *   error as `cause`;
 * - any other rejection (a command timeout, a connection lost while the
 *   command was in flight, an error reply) is rethrown as it is: the command
 *   may have been applied.
 * @throws NotSentError, or what `send` throws.
 */
export async function sendOrNotSent<T>(client: RedisClient, send: () => Promise<T>): Promise<T> {
  if (client.status !== 'ready') {
    throw new NotSentError(
      `Redis is not connected (${client.status}): the command was not sent (the offline queue is off)`,
    );
  }
  try {
    return await send();
  } catch (err) {
    if (err instanceof Error && REFUSED_BEFORE_SEND.includes(err.message)) {
      throw new NotSentError(`Redis refused the command before sending it: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
