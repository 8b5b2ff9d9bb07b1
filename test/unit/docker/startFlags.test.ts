import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SERVER_ENV,
  SERVER_NODE_FLAGS,
  SERVER_V8_FLAGS,
  serverEnv,
} from '../../../src/bench/benchServerProcess.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** The Node flags, then the V8 flags, of every start command, in order. */
const FLAGS = [...SERVER_NODE_FLAGS, ...SERVER_V8_FLAGS];

describe('start commands', () => {
  it('run Node with source maps and the V8 flags the bench measured, in order (docs/operations.md)', () => {
    expect(SERVER_NODE_FLAGS).toEqual(['--enable-source-maps']);
    expect(SERVER_V8_FLAGS).toEqual(['--max-semi-space-size=16', '--no-allocation-site-pretenuring']);
    const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'serve', 'recgate']) {
      expect(scripts[name], `npm run ${name}`).toContain(`node ${FLAGS.join(' ')} --import`);
    }
    expect(repoFile('bin/recgate.js')).toContain(
      `[\n    ${FLAGS.map((f) => `'${f}',`).join('\n    ')}\n    ...entry,`,
    );
    const cmd = repoFile('docker/Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('CMD '));
    expect(cmd.at(-1)).toContain(`["node", ${FLAGS.map((f) => `"${f}"`).join(', ')}, "--import"`);
  });

  it('build dist/ first and run it with plain node, the telemetry entry imported before the CLI (no tsx at run time)', () => {
    const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    const run = `node ${FLAGS.join(' ')} --import ./dist/src/telemetry/register.js dist/src/cli.js`;
    // `exec`: the shell npm starts becomes node, so the SIGTERM npm forwards reaches the server.
    const malloc = 'MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-4194304}';
    expect(scripts['recgate']).toBe(`npm run build --silent && ${malloc} exec ${run}`);
    for (const name of ['start', 'serve']) {
      expect(scripts[name], `npm run ${name}`).toBe(`npm run build --silent && ${malloc} exec ${run} serve`);
    }
    expect(scripts['build']).toBe('tsx scripts/build.ts');
  });

  it('set the mmap threshold of glibc malloc to 4 MiB unless the caller set it (docs/operations.md)', async () => {
    expect(SERVER_ENV).toEqual({ MALLOC_MMAP_THRESHOLD_: '4194304' });
    const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'serve', 'recgate']) {
      expect(scripts[name], `npm run ${name}`).toContain(
        '&& MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-4194304} exec node ',
      );
    }
    expect(repoFile('bin/recgate.js')).toContain(
      "env: { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ || '4194304' }",
    );
    // The bench's servers: the caller's value wins, an empty one counts as unset (glibc reads "" as 0).
    expect(serverEnv({})['MALLOC_MMAP_THRESHOLD_']).toBe('4194304');
    expect(serverEnv({ MALLOC_MMAP_THRESHOLD_: '' })['MALLOC_MMAP_THRESHOLD_']).toBe('4194304');
    expect(serverEnv({ MALLOC_MMAP_THRESHOLD_: '65536', X: 'y' })).toEqual({
      MALLOC_MMAP_THRESHOLD_: '65536',
      X: 'y',
    });
    const dockerfile = repoFile('docker/Dockerfile');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^\s+MALLOC_MMAP_THRESHOLD_=4194304 \\$/m);
    // The npm scripts' default is the shell's: a value the caller set wins, an unset one becomes 4 MiB.
    const { spawnSync } = await import('node:child_process');
    const echo =
      'MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-4194304} exec node -e "console.log(process.env.MALLOC_MMAP_THRESHOLD_)"';
    const env = { ...process.env };
    delete env['MALLOC_MMAP_THRESHOLD_'];
    expect(spawnSync('sh', ['-c', echo], { env }).stdout.toString().trim()).toBe('4194304');
    expect(
      spawnSync('sh', ['-c', echo], { env: { ...env, MALLOC_MMAP_THRESHOLD_: '' } })
        .stdout.toString()
        .trim(),
    ).toBe('4194304');
    expect(
      spawnSync('sh', ['-c', echo], { env: { ...env, MALLOC_MMAP_THRESHOLD_: '65536' } })
        .stdout.toString()
        .trim(),
    ).toBe('65536');
  });

  it('the flags are ones this Node accepts', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [...FLAGS, '-e', 'process.exit(7)']);
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(7);
  });
});
