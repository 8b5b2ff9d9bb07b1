import type { Command } from 'commander';
import { runTraining } from '../../models/pipeline/runTraining.js';
import { resolveRegistryDir } from '../../models/registry/registryPaths.js';
import { progressLog } from './progressLog.js';
import type { TrainCliOptions } from './trainOptions.js';
import { addDataOptions, trainConfigFrom } from './trainOptions.js';

/** Commander collector of a repeatable option: every occurrence appended, in command-line order. */
function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * `recgate train`: evaluate on a split, gate, retrain on everything and
 * publish. `--events <file.jsonl>` (repeatable) appends the feedback records
 * of event-log exports to the `--data` dataset (see `appendEventExports`).
 */
export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      'import and validate a dataset, evaluate MostPop, retrieval and two-stage on a split, ' +
        'then (if the two-stage model beats MostPop and the current version) retrain on all the data and publish',
    );
  addDataOptions(cmd)
    .option(
      '--events <file.jsonl>',
      'also train on the feedback in an event-log export (`recgate export-events` output or ' +
        'var/events.jsonl), appended to --data as interactions; impressions and served lists are ' +
        'ignored; repeatable (overlapping exports are de-duplicated by eventId)',
      collect,
    )
    .option('--strict', 'exit with code 2 when the gate refuses to publish')
    .action(async (o: TrainCliOptions & { events?: string[] }) => {
      const report = await runTraining({
        dataDir: o.data,
        format: o.format,
        split: o.split,
        registryDir: resolveRegistryDir(o.registry),
        modelName: o.modelName,
        ...(o.report ? { reportFile: o.report } : {}),
        maxBadShare: o.maxBadShare,
        events: o.events ?? [],
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
