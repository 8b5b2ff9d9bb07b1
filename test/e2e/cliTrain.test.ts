import { cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingReport } from '../../models/pipeline/runTraining.js';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { CliResult, GeneratedDataset } from './cliHarness.js';
import { FAST, lines, recgate, removeTempDirs, stackFrames, tempDir, writeDataset } from './cliHarness.js';

afterAll(removeTempDirs);

const VERSION = /^v\d{8}-\d{6}(?:-\d+)?$/;
const VERSION_FILES = [
  'manifest.json',
  'model.onnx',
  'items.f32',
  'item-factors.f32',
  'items.json',
  'users.f32',
  'users.json',
  'neighbours.json',
  'popularity.json',
  'catalog.jsonl',
];

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function currentVersion(registry: string): string {
  return readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
}

function versionFolders(registry: string): string[] {
  const dir = path.join(registry, 'default');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

function expectNoStackTrace(r: CliResult): void {
  expect(stackFrames(r.stdout + r.stderr)).toEqual([]);
}

describe.concurrent('CLI: recgate train', () => {
  let data: GeneratedDataset;
  beforeAll(() => {
    data = writeDataset();
  });

  describe('on a clean generic dataset with a temporal split', () => {
    let registry: string;
    let reportFile: string;
    let run: CliResult;
    let report: TrainingReport;
    beforeAll(async () => {
      registry = tempDir();
      reportFile = path.join(registry, 'r.json');
      run = await recgate(
        [
          'train',
          '--data',
          data.dir,
          '--format',
          'generic',
          '--split',
          'temporal',
          '--report',
          reportFile,
          ...FAST,
        ],
        registry,
      );
      expect(run.status, run.stderr).toBe(0);
      report = readJson<TrainingReport>(reportFile);
    });

    it('exits 0 and prints the published version on stdout', () => {
      expect(run.status).toBe(0);
      expect(lines(run.stdout)).toHaveLength(1);
      expect(run.stdout).toMatch(/^published default\/v\d{8}-\d{6}(?:-\d+)? \(two-stage NDCG@10 \d\.\d{4}\)/);
      expectNoStackTrace(run);
    });

    it('logs its progress on stderr: the dataset summary, the metrics table and where it published', () => {
      expect(run.stderr).toContain('Dataset synthetic (generic)');
      expect(run.stderr).toContain(`Validation: read ${data.rows.toLocaleString('en-US')} rows`);
      expect(run.stderr).toContain('no bad rows');
      expect(run.stderr).toMatch(/^\s*twoStage\s/m);
      expect(run.stderr).toContain(`published default/${currentVersion(registry)} to `);
    });

    it('writes a report with MostPop, retrieval and two-stage NDCG@10 in [0, 1], the ranker lift and the gate', () => {
      expect(report.format).toBe('generic');
      expect(report.split).toBe('temporal');
      expect(report.evaluatedUsers).toBeGreaterThan(0);
      expect(report.metrics).not.toBeNull();
      for (const model of ['mostPop', 'retrieval', 'twoStage'] as const) {
        const ndcg = report.metrics![model]['ndcg@10'];
        expect(Number.isFinite(ndcg), `${model} ndcg@10 = ${ndcg}`).toBe(true);
        expect(ndcg).toBeGreaterThanOrEqual(0);
        expect(ndcg).toBeLessThanOrEqual(1);
      }
      expect(report.rankerLift).not.toBeNull();
      expect(Number.isFinite(report.rankerLift!['ndcg@10'])).toBe(true);
      // The taste groups make personalisation pay off: the gate passes against MostPop.
      expect(report.metrics!.twoStage['ndcg@10']!).toBeGreaterThan(report.metrics!.mostPop['ndcg@10']!);
      expect(report.gate.passed).toBe(true);
      expect(report.published).toBe(true);
      expect(report.version).toMatch(VERSION);
    });

    it('publishes a complete version folder and points default/CURRENT at it', () => {
      const version = currentVersion(registry);
      expect(version).toBe(report.version);
      const dir = path.join(registry, 'default', version);
      for (const file of VERSION_FILES) expect(existsSync(path.join(dir, file)), file).toBe(true);
      // No half-written temp folder is left behind.
      expect(versionFolders(registry)).toEqual([version]);
    });

    it('writes a manifest consistent with its files: ranker input width, vector dimension, items.f32 size', () => {
      const dir = path.join(registry, 'default', currentVersion(registry));
      const m = readJson<ModelManifest>(path.join(dir, 'manifest.json'));
      expect(m.name).toBe('default');
      expect(m.version).toBe(report.version);
      expect(m.training.dataset).toBe('synthetic');
      expect(m.training.interactions).toBe(data.goodRows);
      expect(m.training.users).toBe(data.users);
      expect(m.training.items).toBe(data.items);
      expect(m.ranker.features.length).toBe(m.ranker.inputShape[1]);
      expect(m.retrieval.dimension).toBe(8);
      expect(m.retrieval.vectorDimension).toBe(m.retrieval.dimension + 1);
      const itemIds = readJson<string[]>(path.join(dir, m.retrieval.itemIds));
      expect(itemIds).toHaveLength(m.training.items);
      expect(statSync(path.join(dir, m.retrieval.itemVectors)).size).toBe(
        4 * m.training.items * m.retrieval.vectorDimension,
      );
      expect(statSync(path.join(dir, m.retrieval.itemFactors)).size).toBe(
        4 * m.training.items * m.retrieval.dimension,
      );
      expect(m.evaluation?.split).toBe('temporal');
      expect(m.evaluation?.metrics.twoStage['ndcg@10']).toBe(report.metrics!.twoStage['ndcg@10']);
    });
  });

  describe('with --split none', () => {
    it('publishes without evaluation: the report has metrics null and the gate says the split is none', async () => {
      const registry = tempDir();
      const reportFile = path.join(registry, 'none.json');
      const run = await recgate(
        [
          'train',
          '--data',
          data.dir,
          '--format',
          'generic',
          '--split',
          'none',
          '--report',
          reportFile,
          ...FAST,
        ],
        registry,
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^published default\/v\d{8}-\d{6}/);
      expect(run.stdout).not.toContain('NDCG');
      const report = readJson<TrainingReport>(reportFile);
      expect(report.split).toBe('none');
      expect(report.metrics).toBeNull();
      expect(report.rankerLift).toBeNull();
      expect(report.gate.passed).toBe(true);
      expect(report.gate.reasons.join('; ')).toMatch(/none/);
      expect(report.published).toBe(true);
      const m = readJson<ModelManifest>(
        path.join(registry, 'default', currentVersion(registry), 'manifest.json'),
      );
      expect(m.evaluation).toBeNull();
      expectNoStackTrace(run);
    });
  });

  describe('the publishing gate', () => {
    let registry: string;
    let first: string;
    const train = (...extra: string[]): string[] => [
      'train',
      '--data',
      data.dir,
      '--format',
      'generic',
      ...FAST,
      ...extra,
    ];
    beforeAll(async () => {
      registry = tempDir();
      const run = await recgate(train('--seed', '42'), registry);
      expect(run.status, run.stderr).toBe(0);
      first = currentVersion(registry);
    });

    it('does not publish a retrain on the same data, split and seed: an equal NDCG does not beat the current version', async () => {
      const run = await recgate(train('--seed', '42'), registry);
      expect(run.status).toBe(0);
      const m =
        /^not published: two-stage NDCG@10 (\d\.\d{4}) does not beat the current version (\S+)'s (\d\.\d{4}) on the same split/.exec(
          run.stdout,
        );
      expect(m, run.stdout).not.toBeNull();
      expect(m![2]).toBe(first);
      // Training is deterministic for a seed, so the second run scores exactly the same.
      expect(m![1]).toBe(m![3]);
      expect(currentVersion(registry)).toBe(first);
      expect(versionFolders(registry)).toEqual([first]);
      expectNoStackTrace(run);
    });

    it('exits 2 with --strict when the gate refuses to publish', async () => {
      const run = await recgate(train('--seed', '42', '--strict'), registry);
      expect(run.status).toBe(2);
      expect(run.stdout).toMatch(/^not published: /);
      expect(currentVersion(registry)).toBe(first);
      expectNoStackTrace(run);
    });

    it('does not compare with the current version when the seed differs (MostPop only), so it publishes', async () => {
      // A copy of the registry, so the other gate tests (run concurrently) keep their CURRENT.
      const copy = tempDir();
      cpSync(registry, copy, { recursive: true });
      const reportFile = path.join(copy, 'seed7.json');
      const run = await recgate(train('--seed', '7', '--report', reportFile), copy);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^published default\//);
      expect(readJson<TrainingReport>(reportFile).gate.reasons).toContain(
        'no current version evaluated on the same dataset and split: compared with MostPop only',
      );
      const current = currentVersion(copy);
      expect(current).not.toBe(first);
      expect(
        readJson<ModelManifest>(path.join(copy, 'default', current, 'manifest.json')).parentVersion,
      ).toBe(first);
    });
  });
});
