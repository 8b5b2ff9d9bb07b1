import { join } from 'node:path';
import { runTraining } from '../../models/pipeline/runTraining.js';
import { DEFAULT_TRAIN_CONFIG } from '../../models/pipeline/trainConfig.js';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';
import { PACKAGE_ROOT } from '../paths/packageRoot.js';

/** The bundled demo dataset (MovieTweetings 100K, MIT), `data/movietweetings` of the package root. */
export const BUNDLED_DATA_DIR = join(PACKAGE_ROOT, 'data', 'movietweetings');

/**
 * Makes sure the registry has a current version to serve: when it has none,
 * trains on the bundled MovieTweetings data with the `recgate train`
 * defaults (`--split temporal`: evaluate, gate, retrain on everything,
 * publish), showing progress through `log`. Should the gate refuse to
 * publish this first model (it must beat MostPop), it retrains with
 * `--split none`, which publishes without a gate, so a fresh clone always
 * has something to serve.
 * @returns the version served and whether it was trained now.
 * @throws DatasetError, RegistryError as `runTraining` does; Error when nothing was published.
 */
export async function ensureTrainedModel(options: {
  readonly registryDir: string;
  readonly modelName: string;
  readonly log: (message: string) => void;
}): Promise<{ version: string; trained: boolean }> {
  const { registryDir, modelName, log } = options;
  const existing = readCurrentVersion(registryDir, modelName);
  if (existing !== null) return { version: existing, trained: false };
  log(`no "${modelName}" model in ${registryDir}: training one on the bundled MovieTweetings data first`);
  const train = (split: string) =>
    runTraining({
      dataDir: BUNDLED_DATA_DIR,
      format: 'movietweetings',
      split,
      registryDir,
      modelName,
      config: DEFAULT_TRAIN_CONFIG,
      log,
    });
  let report = await train('temporal');
  if (!report.published) {
    log(
      `the gate refused the first model (${report.gate.reasons.join('; ')}); publishing one trained on all data`,
    );
    report = await train('none');
  }
  if (!report.published || report.version === null) {
    throw new Error(`training did not publish a model: ${report.gate.reasons.join('; ')}`);
  }
  return { version: report.version, trained: true };
}
