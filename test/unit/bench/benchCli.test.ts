import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../src/bench/benchServerProcess.js';

/** Runs a bench script as `npm run bench…` does (tsx), without starting any server. */
function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
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
  ])('%s %j ends with one error line and exit code 2, no stack trace', (script, args, message) => {
    const r = run(script, args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the options with --help and exits 0', () => {
    for (const script of ['src/bench/probe.ts', 'src/bench/runBench.ts']) {
      const r = run(script, ['--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('--dir folder');
    }
  });
});
