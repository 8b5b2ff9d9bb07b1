import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDist } from '../../../src/build/buildDist.js';
import { repoRoot } from '../../support/trainedRegistry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-bin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A package with the real bin/recgate.js and src/build/sourceDigest.ts, a
 * cli.ts that says whether it runs compiled, and a no-op telemetry entry.
 */
function miniPackage(name: string): string {
  const root = path.join(tmp, name);
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  write('package.json', '{"type":"module"}');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  copyFileSync(path.join(repoRoot, 'bin', 'recgate.js'), path.join(root, 'bin', 'recgate.js'));
  write('src/build/sourceDigest.ts', readFileSync(path.join(repoRoot, 'src/build/sourceDigest.ts'), 'utf8'));
  write('src/telemetry/register.ts', 'export {};\n');
  write('src/cli.ts', "console.log(import.meta.url.includes('/dist/') ? 'compiled v1' : 'source v1');\n");
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

/** Runs `node bin/recgate.js` in `root`: its stdout and stderr. */
function recgate(root: string): { stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'recgate.js')], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status).toBe(0);
  return { stdout: run.stdout.trim(), stderr: run.stderr };
}

describe('bin/recgate.js', () => {
  it('runs dist/ only while it was built from the sources as they are, whatever the file times', async () => {
    const root = miniPackage('stale');
    expect(recgate(root)).toMatchObject({ stdout: 'source v1' }); // no dist/ yet
    expect(recgate(root).stderr).toMatch(/running them through tsx/);
    await buildDist({ root });
    expect(recgate(root)).toEqual({ stdout: 'compiled v1', stderr: '' });
    // A file the build skips (GraphQL Code Generator output) changes: dist/ is still current.
    mkdirSync(path.join(root, 'src', 'generated'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'generated', 'graphql.ts'), 'export type X = 1;\n');
    expect(recgate(root)).toEqual({ stdout: 'compiled v1', stderr: '' });
    // A source changes, with a time older than the build (as cp -p or tar x leave it).
    const cli = path.join(root, 'src', 'cli.ts');
    writeFileSync(cli, "console.log(import.meta.url.includes('/dist/') ? 'compiled v2' : 'source v2');\n");
    utimesSync(cli, new Date('2020-01-01'), new Date('2020-01-01'));
    const stale = recgate(root);
    expect(stale.stdout).toBe('source v2');
    expect(stale.stderr).toMatch(/^recgate: dist\/ is missing or was built from other sources/);
    await buildDist({ root });
    expect(recgate(root)).toEqual({ stdout: 'compiled v2', stderr: '' });
    // Shipped without its TypeScript (as the Docker image is): dist/ runs.
    rmSync(path.join(root, 'src'), { recursive: true, force: true });
    expect(recgate(root)).toEqual({ stdout: 'compiled v2', stderr: '' });
  });
});
