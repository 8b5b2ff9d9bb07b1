import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../src/bench/benchServerProcess.js';

/** Runs a bench script as `npm run bench…` does (tsx), without starting any server. */
function run(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bench command lines', () => {
  it.each([
    ['src/bench/probe.ts', ['--scenario', 'nope'], 'bench:probe: error: --scenario: expected one of'],
    [
      'src/bench/probe.ts',
      ['--requests', '-3'],
      "bench:probe: error: Option '--requests' argument is ambiguous",
    ],
    ['src/bench/probe.ts', ['--catalog', 'nope'], 'bench:probe: error: --catalog: expected'],
    ['src/bench/runBench.ts', ['--catalogs', 'nope'], 'bench: error: --catalogs: unknown catalog nope'],
    ['src/bench/runBench.ts', ['--seconds', 'abc'], 'bench: error: --seconds: expected a positive number'],
    ['src/bench/runBench.ts', ['--render', 'no-such-file.json'], 'bench: error: --render: no file at'],
    [
      'src/bench/runBench.ts',
      ['--render', 'package.json'],
      // Valid JSON of another shape: named before the report is attempted (README walkthrough, 12-06).
      "bench: error: --render: package.json is not a saved run's JSON (missing or of the wrong type: machine, profile, catalogs, ann, targets, startedAt, command, seconds)",
    ],
    [
      'src/bench/runBench.ts',
      ['--render', 'README.md'],
      "bench: error: --render: README.md is not a saved run's JSON",
    ],
    ['src/bench/runBench.ts', ['--render', 'src'], 'bench: error: --render: src is not a regular file'],
    [
      'src/bench/runBench.ts',
      ['--catalogs', 'constructor'],
      'bench: error: --catalogs: unknown catalog constructor',
    ],
    ['src/bench/probe.ts', ['--catalog', '__proto__'], 'bench:probe: error: --catalog: expected'],
    [
      'src/bench/probe.ts',
      ['--connections', '99999999999999999999'],
      'bench:probe: error: --connections: expected an integer in 1..1024',
    ],
    [
      'src/bench/probe.ts',
      ['--requests', '1e20'],
      'bench:probe: error: --requests: expected an integer in 1..10000000',
    ],
    ['src/bench/probe.ts', ['--dir', '/dev/null'], 'bench:probe: error: --dir: cannot use /dev/null'],
    ['src/bench/twinProbe.ts', [], 'bench:twin: error: --baseline: the other checkout is required'],
    [
      'src/bench/twinProbe.ts',
      ['--baseline', '/proc'],
      'bench:twin: error: --baseline: /proc has no built gateway (dist/src/services/createGateway.js); run npm ci && npm run build there',
    ],
    ['src/bench/twinProbe.ts', ['--baseline', '.'], 'is this checkout; for an A/A run'],
    [
      'src/bench/twinProbe.ts',
      ['--baseline', '.', '--rounds', '0'],
      'bench:twin: error: --rounds: expected an integer in 1..10000, received 0',
    ],
    [
      'src/bench/twinProbe.ts',
      ['--baseline', '.', '--batch', '2.5'],
      'bench:twin: error: --batch: expected an integer in 1..1000000, received 2.5',
    ],
    [
      'src/bench/runBench.ts',
      ['--ann-only', '--dir', '/dev/null', 'RECGATE_IVF_STORAGE=int4'],
      'bench: error: environment: RECGATE_IVF_STORAGE: expected',
    ],
  ])('%s %j ends with one error line and exit code 2, no stack trace', (script, args, message) => {
    // A trailing NAME=value argument goes to the environment instead.
    const env = args.filter((a) => /^[A-Z_]+=/.test(a));
    const r = run(
      script,
      args.filter((a) => !env.includes(a)),
      Object.fromEntries(env.map((a) => a.split('=') as [string, string])),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the options with --help and exits 0', () => {
    for (const script of ['src/bench/probe.ts', 'src/bench/runBench.ts', 'src/bench/twinProbe.ts']) {
      const r = run(script, ['--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('--dir folder');
    }
  });
});
