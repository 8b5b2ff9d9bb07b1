import type { Command } from 'commander';
import { runTraining } from '../../models/pipeline/runTraining.js';
import { resolveRegistryDir } from '../../models/registry/registryPaths.js';
import { progressLog } from './progressLog.js';
import type { TrainCliOptions } from './trainOptions.js';
import { addDataOptions, trainConfigFrom } from './trainOptions.js';

/** `recgate train`: evaluate on a split, gate, retrain on everything and publish. */
export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      'import and validate a dataset, evaluate MostPop, retrieval and two-stage on a split, ' +
        'then (if the two-stage model beats MostPop and the current version) retrain on all the data and publish',
    );
  addDataOptions(cmd)
    .option('--strict', 'exit with code 2 when the gate refuses to publish')
    .action(async (o: TrainCliOptions) => {
      const report = await runTraining({
        dataDir: o.data,
        format: o.format,
        split: o.split,
        registryDir: resolveRegistryDir(o.registry),
        modelName: o.modelName,
        ...(o.report ? { reportFile: o.report } : {}),
        maxBadShare: o.maxBadShare,
        config: trainConfigFrom(o),
        log: progressLog({ quiet: o.quiet ?? false }),
      });
      const twoStage = report.metrics?.twoStage['ndcg@10'];
      process.stdout.write(
        (report.published
          ? `published ${o.modelName}/${report.version}`
          : `not published: ${report.gate.reasons.join('; ')}`) +
          (twoStage === undefined ? '' : ` (two-stage NDCG@10 ${twoStage.toFixed(4)})`) +
          ` in ${report.seconds.total.toFixed(1)} s\n`,
      );
      if (!report.published && o.strict) process.exitCode = 2;
    });
}
