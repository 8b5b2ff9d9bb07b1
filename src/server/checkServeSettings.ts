import type { GatewayConfig } from '../config.js';
import { ExperimentConfigError, loadExperiments } from '../experiments/experimentConfig.js';
import { parseClusterNodes } from '../stores/redis/redisConnection.js';

/**
 * Checks the two settings of `recgate serve` that the gateway itself only
 * reads once a model is loaded (so, on a fresh registry, after minutes of
 * training), in the form of every other settings error, naming the
 * environment variable and its raw value:
 * - `REDIS_CLUSTER_NODES` (`redisClusterNodes`), parsed as `parseClusterNodes`
 *   parses it, only when the gateway uses Redis (`featureStore` or
 *   `eventLog` is `redis`: the same condition as the rate limiter's);
 *   otherwise it is not used, so not checked;
 * - `RECGATE_EXPERIMENTS` (`experimentsFile`): the file is read and
 *   validated as the gateway will (`loadExperiments`).
 * @param config the gateway settings as `serveConfigFrom` read them from the
 *   environment (unset values: not checked).
 * @throws RangeError `REDIS_CLUSTER_NODES: expected host:port[,host:port…]
 *   with ports in 1..65535, received "<value>"`, or
 *   `RECGATE_EXPERIMENTS="<path>": <reason>` (e.g. `no such file`, or the
 *   first invalid field of the file, which may quote a value itself).
 */
export function checkServeSettings(config: GatewayConfig): void {
  const nodes = config.redisClusterNodes;
  const usesRedis = config.featureStore === 'redis' || config.eventLog === 'redis';
  if (usesRedis && nodes !== undefined && nodes !== null && nodes.trim() !== '') {
    try {
      parseClusterNodes(nodes);
    } catch (err) {
      throw new RangeError(
        `REDIS_CLUSTER_NODES: expected host:port[,host:port…] with ports in 1..65535, received ${JSON.stringify(nodes)}`,
        { cause: err },
      );
    }
  }
  const file = config.experimentsFile;
  if (file !== undefined && file !== null && file.trim() !== '') {
    try {
      loadExperiments(file);
    } catch (err) {
      const reason = err instanceof ExperimentConfigError ? err.reason : String(err);
      throw new RangeError(`RECGATE_EXPERIMENTS=${JSON.stringify(file)}: ${reason}`, {
        cause: err,
      });
    }
  }
}
