import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerExperiments } from '../../../src/cli/registerExperiments.js';

/** The example configs, by absolute path (tests may run from any folder). */
const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const EXAMPLE_YAML = join(root, 'config/experiments.example.yaml');
const EXAMPLE_JSON = join(root, 'config/experiments.example.json');

const dir = mkdtempSync(join(tmpdir(), 'recgate-experiments-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Runs `recgate <args>` in process and captures its output and exit code. */
async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const program = new Command().name('recgate').exitOverride();
  registerExperiments(program);
  let exitCode: number;
  try {
    await program.parseAsync(['node', 'recgate', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    exitCode = err.exitCode;
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr, exitCode };
}

const served = (requestId: string, variant: string, items: string[]) =>
  JSON.stringify({
    kind: 'served',
    eventId: `s-${requestId}`,
    requestId,
    userId: 'u',
    surface: 'home',
    timestamp: 1,
    modelVersion: 'v1',
    variants: { 'mmr-lambda': variant },
    items: items.map((itemId, i) => ({ itemId, rank: i + 1, score: 1, sources: [], features: null })),
  });
const click = (requestId: string, itemId: string) =>
  JSON.stringify({
    kind: 'feedback',
    eventId: `f-${requestId}-${itemId}`,
    userId: 'u',
    itemId,
    type: 'CLICK',
    value: null,
    requestId,
    timestamp: 2,
    receivedAt: 2,
    context: null,
  });

/** control: 4 items, 1 click (25 %); lambda-06: 4 items, 2 clicks (50 %); 3 malformed lines. */
const events = join(dir, 'events.jsonl');
writeFileSync(
  events,
  [
    served('r1', 'control', ['a', 'b', 'c', 'd']),
    served('r2', 'lambda-06', ['a', 'b', 'c', 'd']),
    'not json',
    '',
    '{"kind":"served","requestId":"r3"}',
    '{"kind":"future-kind"}',
    click('r1', 'a'),
    click('r2', 'a'),
    click('r2', 'b'),
  ].join('\n') + '\n',
);

describe('recgate experiments report', () => {
  it('prints per-variant CTR, intervals and the difference to control, skipping malformed lines', async () => {
    const r = await run('experiments', 'report', '--events', events);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('experiment mmr-lambda  (control: control)');
    expect(r.stdout).toMatch(/control\s+1\s+4\s+1\s+25\.00%/);
    expect(r.stdout).toMatch(/lambda-06\s+1\s+4\s+2\s+50\.00%/);
    expect(r.stdout).toContain('+25.00 [');
    expect(r.stdout).toContain('3 malformed lines skipped (first: line 3: not JSON)');
  });

  it('prints JSON with --json, using the config for the control', async () => {
    const r = await run('experiments', 'report', '--events', events, '--json', '--config', EXAMPLE_YAML);
    const report = JSON.parse(r.stdout) as {
      malformedLines: number;
      experiments: { experiment: string; control: string; variants: { variant: string; ctr: number }[] }[];
    };
    expect(report.malformedLines).toBe(3);
    expect(report.experiments[0]).toMatchObject({
      experiment: 'mmr-lambda',
      control: 'control',
      variants: [
        { variant: 'control', ctr: 0.25 },
        { variant: 'lambda-06', ctr: 0.5 },
      ],
    });
  });

  it('reads $RECGATE_EXPERIMENTS for the control when --config is not given', async () => {
    vi.stubEnv('RECGATE_EXPERIMENTS', EXAMPLE_YAML);
    const report = JSON.parse((await run('experiments', 'report', '--events', events, '--json')).stdout) as {
      experiments: { experiment: string }[];
    };
    // The config lists both experiments, including exploration-share, which served nothing.
    expect(report.experiments.map((e) => e.experiment)).toEqual(['mmr-lambda', 'exploration-share']);
  });

  it('reads $RECGATE_EVENT_LOG_FILE by default and fails in one line when the log is missing', async () => {
    vi.stubEnv('RECGATE_EVENT_LOG_FILE', events);
    expect((await run('experiments', 'report')).stdout).toContain('experiment mmr-lambda');
    vi.stubEnv('RECGATE_EVENT_LOG_FILE', join(dir, 'missing.jsonl'));
    const r = await run('experiments', 'report');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `recgate: error: no event log at ${join(dir, 'missing.jsonl')}; pass --events <file> or set RECGATE_EVENT_LOG_FILE\n`,
    );
  });
});

describe('recgate experiments validate', () => {
  it('prints the experiments of a valid config, marking the control', async () => {
    const r = await run('experiments', 'validate', '--config', EXAMPLE_JSON);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`${EXAMPLE_JSON}: 2 experiment(s), valid`);
    expect(r.stdout).toMatch(/control \(control\)\s+50%\s+\{"mmrLambda":0\.8\}/);
    expect(r.stdout).toMatch(/explore-10\s+25%/);
  });

  it('prints the one-line error and exits 1 for an invalid config', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'experiments:\n  - id: x\n    trafficPercent: 10\n    variants:\n      - {id: a, weight: 1}\n' +
        '      - {id: b, weight: 1, params: {mmrLambda: 1.5}}\n',
    );
    const r = await run('experiments', 'validate', '--config', bad);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `recgate: error: ${bad}: experiments[0].variants[1].params.mmrLambda: expected a number ≤ 1, received 1.5\n`,
    );
  });
});

describe('recgate experiments --help', () => {
  it.each([[['experiments']], [['experiments', 'report']], [['experiments', 'validate']]])(
    'describes %j',
    async (args) => {
      const r = await run(...args, '--help');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('Usage: recgate experiments');
    },
  );
});
