import type { Command } from 'commander';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import {
  DEFAULT_MODEL_NAME,
  listVersions,
  readCurrentVersion,
  readManifest,
  RegistryError,
  resolveRegistryDir,
} from '../../models/registry/registryPaths.js';
import { readShadowSetting, writeShadowSetting } from '../../models/registry/shadowPointer.js';
import { loadExperiments } from '../experiments/experimentConfig.js';
import { loadServedModel } from '../inference/loadServedModel.js';
import { FileModelRegistry } from '../stores/file/fileModelRegistry.js';

/** Options every `models` subcommand takes. */
interface RegistryOptions {
  registry?: string;
  modelName: string;
}

/**
 * The canary versions of an experiments file: every variant whose
 * `rankerVersion` parameter names a version, as `version → "experiment/variant"` labels.
 */
export function canaryVersions(experimentsFile: string | null | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of loadExperiments(experimentsFile).experiments) {
    for (const v of e.variants) {
      const version = v.params.rankerVersion;
      if (typeof version === 'string') out.set(version, [...(out.get(version) ?? []), `${e.id}/${v.id}`]);
    }
  }
  return out;
}

/**
 * Loads `version` exactly as a gateway would (manifest against the ONNX
 * session, a probe row), then releases it.
 * @throws ModelLoadError naming the problem.
 */
async function validateVersion(dir: string, modelName: string, version: string): Promise<void> {
  const model = await loadServedModel(new FileModelRegistry({ dir, modelName }), version);
  await model.close();
}

/**
 * `recgate models list | promote | shadow`: inspect the registry and roll a
 * version out. Running gateways read `CURRENT` and `SHADOW` every
 * `RECGATE_MODEL_POLL_MS` and apply a change without a restart.
 */
export function registerModels(program: Command): void {
  const models = program.command('models').description('inspect the model registry and roll versions out');
  const common = (c: Command): Command =>
    c
      .option('--registry <dir>', 'model registry folder (default: $RECGATE_REGISTRY or var/registry)')
      .option(
        '--model-name <name>',
        'model name (default: $RECGATE_MODEL_NAME or default)',
        process.env['RECGATE_MODEL_NAME'] || DEFAULT_MODEL_NAME,
      );

  common(
    models
      .command('list')
      .description(
        'list versions with their evaluation split, two-stage NDCG@10 and their role: current, shadow or canary',
      )
      .option(
        '--experiments <file>',
        'experiments file whose rankerVersion variants are canaries (default: $RECGATE_EXPERIMENTS)',
      ),
  ).action((o: RegistryOptions & { experiments?: string }) => {
    const dir = resolveRegistryDir(o.registry);
    const current = readCurrentVersion(dir, o.modelName);
    const shadow = readShadowSetting(dir, o.modelName);
    const canaries = canaryVersions(o.experiments ?? process.env['RECGATE_EXPERIMENTS']);
    const versions = listVersions(dir, o.modelName);
    if (versions.length === 0) {
      process.stdout.write(`no versions of "${o.modelName}" in ${dir}; run recgate train\n`);
      return;
    }
    process.stdout.write(
      `${'version'.padEnd(24)}${'role'.padEnd(41)}${'dataset'.padEnd(33)}${'split'.padEnd(14)}${'ndcg@10'.padStart(7)}  items\n`,
    );

    for (const v of versions) {
      const roles = [
        ...(v === current ? ['current'] : []),
        ...(shadow?.version === v ? [`shadow ${(shadow.sampleRate * 100).toFixed(0)}%`] : []),
        ...(canaries.get(v) ?? []).map((c) => `canary ${c}`),
      ].join(', ');
      try {
        const m = readManifest(dir, o.modelName, v);
        const ndcg = m.evaluation?.metrics.twoStage['ndcg@10'];
        process.stdout.write(
          `${v.padEnd(24)}${roles.slice(0, 40).padEnd(41)}${m.training.dataset.slice(-32).padEnd(33)}` +
            `${(m.evaluation?.split ?? 'none').padEnd(14)}${(ndcg === undefined ? '-' : ndcg.toFixed(4)).padStart(7)}  ${m.training.items}\n`,
        );
      } catch (err) {
        process.stdout.write(`${v.padEnd(24)}unreadable: ${(err as Error).message}\n`);
      }
    }
  });

  common(
    models
      .command('promote <version>')
      .description(
        'validate <version> (its manifest against its ONNX ranker) and point CURRENT at it; running gateways load it without a restart',
      ),
  ).action(async (version: string, o: RegistryOptions) => {
    const dir = resolveRegistryDir(o.registry);
    if (!listVersions(dir, o.modelName).includes(version)) {
      throw new RegistryError(
        `no version "${version}" of "${o.modelName}" in ${dir}; see recgate models list`,
      );
    }
    await validateVersion(dir, o.modelName, version);
    const before = readCurrentVersion(dir, o.modelName);
    setCurrentVersion(dir, o.modelName, version);
    process.stdout.write(`CURRENT: ${before ?? 'none'} → ${version}\n`);
  });

  common(
    models
      .command('shadow [version]')
      .description(
        'score [version] in shadow on a sample of requests (never changes a response), or stop with --off',
      )
      .option('--sample <rate>', 'share of requests scored in shadow, in (0, 1]', '0.1')
      .option('--off', 'stop shadow scoring'),
  ).action(async (version: string | undefined, o: RegistryOptions & { sample: string; off?: boolean }) => {
    const dir = resolveRegistryDir(o.registry);
    if (o.off === true) {
      writeShadowSetting(dir, o.modelName, null);
      process.stdout.write('shadow scoring off\n');
      return;
    }
    if (version === undefined) throw new RangeError('name the version to shadow, or pass --off');
    const sampleRate = Number(o.sample);
    if (!(Number.isFinite(sampleRate) && sampleRate > 0 && sampleRate <= 1)) {
      throw new RangeError(`--sample: expected a number in (0, 1], received "${o.sample}"`);
    }
    if (!listVersions(dir, o.modelName).includes(version)) {
      throw new RegistryError(
        `no version "${version}" of "${o.modelName}" in ${dir}; see recgate models list`,
      );
    }
    await validateVersion(dir, o.modelName, version);
    writeShadowSetting(dir, o.modelName, { version, sampleRate });
    process.stdout.write(`shadow: ${version} on ${(sampleRate * 100).toFixed(1)}% of requests\n`);
  });
}
