import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult, GeneratedDataset } from './cliHarness.js';
import { FAST, lines, recgate, removeTempDirs, stackFrames, tempDir, writeDataset } from './cliHarness.js';

afterAll(removeTempDirs);

function expectNoStackTrace(r: CliResult): void {
  expect(stackFrames(r.stdout + r.stderr)).toEqual([]);
}

/** One stderr line `recgate: error: …`, nothing on stdout, a non-zero exit code. */
function expectOneLineError(r: CliResult): string {
  expect(r.status).not.toBe(0);
  expect(r.stdout).toBe('');
  const err = lines(r.stderr);
  expect(err, r.stderr).toHaveLength(1);
  expect(err[0]).toMatch(/^recgate: error: /);
  expectNoStackTrace(r);
  return err[0]!;
}

function currentVersion(registry: string): string {
  return readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
}

/** A metrics table row: the model name, then 11 numbers with four decimals. */
const metricsRow = (model: string): RegExp => new RegExp(`^${model}\\s+(?:\\d+\\.\\d{4}\\s*){11}$`);

let data: GeneratedDataset;
/** A registry holding one version trained with `--split temporal` (read-only for the tests below). */
let published: string;
let version: string;
beforeAll(async () => {
  data = writeDataset();
  published = tempDir();
  const run = await recgate(
    ['train', '--data', data.dir, '--format', 'generic', '--split', 'temporal', ...FAST],
    published,
  );
  expect(run.status, run.stderr).toBe(0);
  version = currentVersion(published);
});

describe.concurrent('CLI: recgate evaluate', () => {
  describe('on the published version with a temporal split', () => {
    let run: CliResult;
    beforeAll(async () => {
      run = await recgate(
        ['evaluate', '--data', data.dir, '--format', 'generic', '--split', 'temporal'],
        published,
      );
    });

    it('exits 0 and prints a metrics table with mostPop, retrieval and twoStage rows', () => {
      expect(run.status, run.stderr).toBe(0);
      const out = lines(run.stdout);
      expect(out[0]).toBe(`default/${version} on temporal`);
      expect(out.some((l) => /^warm users \(\d+\)$/.test(l))).toBe(true);
      // A table for warm users, and one for cold-start users only when there are any.
      const cold = out.find((l) => /^cold-start users \(\d+\)$/.test(l));
      expect(cold).toBeDefined();
      const tables = Number(/\((\d+)\)/.exec(cold!)![1]) > 0 ? 2 : 1;
      expect(out.filter((l) => /^model\s+ndcg@10\s+recall@10\s+precision@10\s/.test(l))).toHaveLength(tables);
      for (const model of ['mostPop', 'retrieval', 'twoStage']) {
        expect(
          out.filter((l) => metricsRow(model).test(l)),
          model,
        ).toHaveLength(tables);
      }
      expectNoStackTrace(run);
    });

    it('warns on stderr that the version was trained on the test period', () => {
      expect(run.stderr).toMatch(
        /warning: version v\S+ was trained on data up to .* which overlaps the test part/,
      );
    });
  });

  it('fails with one line naming the version and its manifest when --version does not exist', async () => {
    const r = await recgate(
      ['evaluate', '--data', data.dir, '--format', 'generic', '--version', 'nope'],
      published,
    );
    expect(expectOneLineError(r)).toContain(path.join(published, 'default', 'nope', 'manifest.json'));
  });

  it('fails with one line when the registry has no CURRENT version', async () => {
    const empty = tempDir();
    const r = await recgate(['evaluate', '--data', data.dir, '--format', 'generic'], empty);
    const line = expectOneLineError(r);
    expect(line).toMatch(/^recgate: error: no version to evaluate: /);
    expect(line).toContain(`${path.join(empty, 'default')} has no CURRENT; run recgate train first`);
  });

  it('honours --max-bad-share as train does: a dataset with ~7 % bad rows is evaluated with 0.1', async () => {
    const noisy = writeDataset({ badEvery: 10, badCount: 300 });
    expect(noisy.bad.length / noisy.rows).toBeGreaterThan(0.05);
    const r = await recgate(
      ['evaluate', '--data', noisy.dir, '--format', 'generic', '--max-bad-share', '0.1'],
      published,
    );
    expect(r.stderr).not.toContain('more than the 5% allowed');
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)[0]).toBe(`default/${version} on temporal`);
  });

  it('refuses --split none: there is nothing to evaluate', async () => {
    const r = await recgate(
      ['evaluate', '--data', data.dir, '--format', 'generic', '--split', 'none'],
      published,
    );
    expect(expectOneLineError(r)).toBe('recgate: error: evaluate needs a split; "none" evaluates nothing');
    expect(r.status).toBe(1);
  });
});

describe.concurrent('CLI: recgate models list', () => {
  it('lists every version, marks the CURRENT one, and shows its split and NDCG@10', async () => {
    // A copy of the published registry plus a second version published with --split none.
    const registry = tempDir();
    cpSync(published, registry, { recursive: true });
    const train = await recgate(
      ['train', '--data', data.dir, '--format', 'generic', '--split', 'none', ...FAST],
      registry,
    );
    expect(train.status, train.stderr).toBe(0);
    const second = currentVersion(registry);
    expect(second).not.toBe(version);

    const r = await recgate(['models', 'list'], registry);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^version\s+role\s+dataset\s+split\s+ndcg@10\s+items$/);
    expect(out).toHaveLength(3);
    // Oldest first; only the CURRENT version is marked.
    expect(out[1]).toMatch(new RegExp(`^${version}\\s+synthetic\\s+temporal\\s+\\d\\.\\d{4}\\s+60$`));
    expect(out[2]).toMatch(new RegExp(`^${second}\\s+current\\s+synthetic\\s+none\\s+-\\s+60$`));
    expect(out.filter((l) => /\bcurrent\b/.test(l))).toHaveLength(1);

    // Roll out: shadow the new version, make the old one a canary, promote the old one back.
    const shadow = await recgate(['models', 'shadow', second, '--sample', '0.25'], registry);
    expect(shadow.status, shadow.stderr).toBe(0);
    expect(shadow.stdout).toBe(`shadow: ${second} on 25.0% of requests\n`);
    const experiments = path.join(tempDir(), 'experiments.yaml');
    writeFileSync(
      experiments,
      `experiments:\n  - id: ranker-canary\n    trafficPercent: 10\n    variants:\n      - id: control\n        weight: 9\n        params: {}\n      - id: old\n        weight: 1\n        params: { rankerVersion: "${version}" }\n`,
    );
    const promote = await recgate(['models', 'promote', version], registry);
    expect(promote.status, promote.stderr).toBe(0);
    expect(promote.stdout).toBe(`CURRENT: ${second} → ${version}\n`);
    const roles = lines((await recgate(['models', 'list', '--experiments', experiments], registry)).stdout);
    expect(roles[1]).toMatch(new RegExp(`^${version}\\s+current, canary ranker-canary/old\\s+synthetic`));
    expect(roles[2]).toMatch(new RegExp(`^${second}\\s+shadow 25%\\s+synthetic`));
    const off = await recgate(['models', 'shadow', '--off'], registry);
    expect(off.stdout).toBe('shadow scoring off\n');
    expect(lines((await recgate(['models', 'list'], registry)).stdout)[2]).not.toMatch(/shadow/);
  }, 240_000);

  it('refuses to promote or shadow an unknown version, and a bad sample rate, with one line', async () => {
    const unknown = await recgate(['models', 'promote', 'v-nope', '--registry', published], tempDir());
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(
      /^recgate: error: no version "v-nope" of "default" in .+; see recgate models list\n$/,
    );
    const rate = await recgate(
      ['models', 'shadow', version, '--sample', '2', '--registry', published],
      tempDir(),
    );
    expect(rate.status).toBe(1);
    expect(rate.stderr).toBe('recgate: error: --sample: expected a number in (0, 1], received "2"\n');
  });

  it('reads the registry given by --registry as well as by $RECGATE_REGISTRY', async () => {
    const r = await recgate(['models', 'list', '--registry', published], tempDir());
    expect(r.status).toBe(0);
    expect(lines(r.stdout)[1]).toMatch(new RegExp(`^${version}\\s+current\\s+synthetic\\s+temporal\\s`));
  });

  it('says there are no versions on an empty registry', async () => {
    const empty = tempDir();
    const r = await recgate(['models', 'list'], empty);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`no versions of "default" in ${empty}; run recgate train\n`);
  });
});
