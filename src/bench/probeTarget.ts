/**
 * What `npm run bench:probe` and `npm run bench:tail` share: the catalog
 * argument, the prepared catalog, the bench server's index and cache for it,
 * and sending one scenario request.
 */
import { join } from 'node:path';
import { configFromEnv, GATEWAY_DEFAULTS } from '../config.js';
import type { VectorPrecision } from '../domain/itemVectors.js';
import { servedVectorPrecision } from '../services/vectorIndexChoice.js';
import type { PreparedCatalog } from './benchCatalogs.js';
import { prepareCatalog, SYNTHETIC_SIZES } from './benchCatalogs.js';
import { usageError } from './benchCli.js';
import type { BenchScenario } from './benchScenarios.js';
import type { BenchServerOptions } from './benchServerProcess.js';

/**
 * The catalog named by `--catalog`, prepared as `npm run bench` prepares it
 * (progress on stderr). Exits 2 with a usage error for an unknown name, and 0
 * with the reason when the catalog is skipped (ml-latest-small without
 * `../shared/data`).
 */
export async function catalogOrExit(
  command: string,
  name: string,
  benchDir: string,
): Promise<PreparedCatalog> {
  if (!Object.hasOwn(SYNTHETIC_SIZES, name) && name !== 'ml-latest-small') {
    usageError(
      command,
      `--catalog: expected ml-latest-small or ${Object.keys(SYNTHETIC_SIZES).join(', ')}, received ${name}`,
    );
  }
  const prepared = await prepareCatalog(name, benchDir, (line) => process.stderr.write(`${line}\n`));
  if ('skipped' in prepared) {
    process.stderr.write(`${name}: skipped (${prepared.skipped})\n`);
    process.exit(0);
  }
  return prepared;
}

/**
 * The bench server settings of a catalog as `npm run bench` serves it: IVF-Flat
 * at 1M items (its list cache in `<benchDir>/ann`), the exact index below, and a
 * fresh event log `<benchDir>/events/<logName>-<time>.jsonl` (so no replay at start).
 */
/**
 * The IVF list cache of a bench catalog: `<benchDir>/ann/<model>-<version>.ivf`
 * for lists trained on float32 rows, `…-f16.ivf` on half-precision rows:
 * lists trained on halves are another assignment, and sharing one file would
 * retrain it at every switch.
 */
export function ivfBenchCacheFile(
  benchDir: string,
  catalog: Pick<PreparedCatalog, 'modelName' | 'version'>,
  precision: VectorPrecision,
): string {
  const half = precision === 'float16' ? '-f16' : '';
  return join(benchDir, 'ann', `${catalog.modelName}-${catalog.version}${half}.ivf`);
}

/**
 * The precision a bench server that serves IVF-Flat (`--index ivf`) keeps
 * its item vectors at, as the gateway resolves `RECGATE_VECTOR_PRECISION`
 * (and `RECGATE_IVF_STORAGE`) from `env`: with the default `auto` and
 * storage `none`, `float16` ({@link servedVectorPrecision}).
 * @throws RangeError naming the variable when either is set to a bad value.
 */
export function ivfServedPrecision(env: NodeJS.ProcessEnv = process.env): VectorPrecision {
  const cfg = configFromEnv(env);
  return servedVectorPrecision(cfg.vectorPrecision ?? GATEWAY_DEFAULTS.vectorPrecision, 0, {
    vectorIndex: 'ivf',
    annMinItems: GATEWAY_DEFAULTS.annMinItems,
    ivfStorage: cfg.ivfStorage ?? GATEWAY_DEFAULTS.ivfStorage,
  });
}

export function serverFor(
  catalog: PreparedCatalog,
  benchDir: string,
  logName: string,
): Pick<BenchServerOptions, 'registry' | 'modelName' | 'index' | 'annCache' | 'eventLog'> {
  return {
    registry: catalog.registry,
    modelName: catalog.modelName,
    index: catalog.items >= 1_000_000 ? 'ivf' : 'exact',
    annCache: ivfBenchCacheFile(benchDir, catalog, ivfServedPrecision()),
    eventLog: join(benchDir, 'events', `${logName}-${Date.now()}.jsonl`),
  };
}

/**
 * Sends request `i` of `scenario` (its bodies in turn) to `url`.
 * @throws Error with the status and the start of the body for a non-200
 *   answer or one with GraphQL errors.
 */
export async function sendScenarioRequest(url: string, scenario: BenchScenario, i: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: scenario.bodies[i % scenario.bodies.length],
  });
  const text = await res.text();
  if (res.status !== 200 || text.includes('"errors"'))
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 500)}`);
}

/**
 * The `--node-flags` option of `bench`, `bench:probe` and `bench:tail`: more Node/V8
 * flags for the bench server (e.g. `--no-allocation-site-pretenuring`),
 * space-separated. Exits 2 with a usage error for a word that is not a flag.
 */
export function nodeFlagsOption(command: string, raw: string): string[] {
  const flags = raw.split(/\s+/).filter((f) => f !== '');
  const bad = flags.find((f) => !f.startsWith('--'));
  if (bad !== undefined)
    usageError(command, `--node-flags: expected flags starting with --, received ${bad}`);
  return flags;
}
