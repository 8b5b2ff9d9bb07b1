import type { Command } from 'commander';
import {
  DEFAULT_MODEL_NAME,
  listVersions,
  readCurrentVersion,
  readManifest,
  resolveRegistryDir,
} from '../../models/registry/registryPaths.js';

/** `recgate models list`: the versions in the registry with their offline metrics. */
export function registerModels(program: Command): void {
  const models = program.command('models').description('inspect the model registry');
  models
    .command('list')
    .description('list versions with their evaluation split, two-stage NDCG@10 and which one is CURRENT')
    .option('--registry <dir>', 'model registry folder (default: $RECGATE_REGISTRY or var/registry)')
    .option('--model-name <name>', 'model name', DEFAULT_MODEL_NAME)
    .action((o: { registry?: string; modelName: string }) => {
      const dir = resolveRegistryDir(o.registry);
      const current = readCurrentVersion(dir, o.modelName);
      const versions = listVersions(dir, o.modelName);
      if (versions.length === 0) {
        process.stdout.write(`no versions of "${o.modelName}" in ${dir}; run recgate train\n`);
        return;
      }
      process.stdout.write(
        'version                 status    dataset                          split         ndcg@10  items\n',
      );
      for (const v of versions) {
        try {
          const m = readManifest(dir, o.modelName, v);
          const ndcg = m.evaluation?.metrics.twoStage['ndcg@10'];
          process.stdout.write(
            `${v.padEnd(24)}${(v === current ? 'current' : '').padEnd(10)}${m.training.dataset.slice(-32).padEnd(33)}` +
              `${(m.evaluation?.split ?? 'none').padEnd(14)}${(ndcg === undefined ? '-' : ndcg.toFixed(4)).padStart(7)}  ${m.training.items}\n`,
          );
        } catch (err) {
          process.stdout.write(`${v.padEnd(24)}unreadable: ${(err as Error).message}\n`);
        }
      }
    });
}
