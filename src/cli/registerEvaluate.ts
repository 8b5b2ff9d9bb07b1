import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatMetricsTable } from '../../models/pipeline/runTraining.js';
import { runEvaluation } from '../../models/pipeline/runEvaluation.js';
import { resolveRegistryDir } from '../../models/registry/registryPaths.js';
import { progressLog } from './progressLog.js';
import type { TrainCliOptions } from './trainOptions.js';
import { addDataOptions, trainConfigFrom } from './trainOptions.js';

/** `recgate evaluate`: re-evaluate a published version on a dataset and split. */
export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description(
      're-evaluate a published registry version (default: CURRENT) on a dataset and split, with its ONNX ranker',
    );
  addDataOptions(cmd)
    .option('--version <version>', 'registry version to evaluate (default: CURRENT)')
    .action(async (o: TrainCliOptions & { version?: string }) => {
      const log = progressLog({ quiet: o.quiet ?? false });
      const out = await runEvaluation({
        registryDir: resolveRegistryDir(o.registry),
        modelName: o.modelName,
        ...(o.version ? { version: o.version } : {}),
        dataDir: o.data,
        format: o.format,
        split: o.split,
        maxBadShare: o.maxBadShare,
        config: trainConfigFrom(o),
        log,
      });
      if (out.overlapWarning) log(`warning: ${out.overlapWarning}`);
      process.stdout.write(
        `${o.modelName}/${out.version} on ${out.split}\n${formatMetricsTable(out.result)}\n`,
      );
      if (o.report) {
        const json = {
          version: out.version,
          split: out.split,
          warning: out.overlapWarning,
          metrics: out.result.warm,
          coldStart: out.result.coldStart,
        };
        writeFileSync(o.report, JSON.stringify(json, null, 2) + '\n');
      }
    });
}
