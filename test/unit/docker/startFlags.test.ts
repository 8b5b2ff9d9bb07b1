import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS, SERVER_V8_FLAGS } from '../../../src/bench/benchServerProcess.js';

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
    expect(scripts['recgate']).toBe(`npm run build --silent && exec ${run}`);
    for (const name of ['start', 'serve']) {
      expect(scripts[name], `npm run ${name}`).toBe(`npm run build --silent && exec ${run} serve`);
    }
    expect(scripts['build']).toBe('tsx scripts/build.ts');
  });

  it('the flags are ones this Node accepts', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [...FLAGS, '-e', 'process.exit(7)']);
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(7);
  });
});
