import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_V8_FLAGS } from '../../../src/bench/benchServerProcess.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('start commands', () => {
  it('run Node with the V8 flags the bench measured, in order (docs/operations.md)', () => {
    expect(SERVER_V8_FLAGS).toEqual(['--max-semi-space-size=16', '--no-allocation-site-pretenuring']);
    const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'serve', 'recgate']) {
      expect(scripts[name], `npm run ${name}`).toContain(`tsx ${SERVER_V8_FLAGS.join(' ')} --import`);
    }
    expect(repoFile('bin/recgate.js')).toContain(SERVER_V8_FLAGS.map((f) => `'${f}',`).join('\n    '));
    const cmd = repoFile('docker/Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('CMD '));
    expect(cmd.at(-1)).toContain(`["node", ${SERVER_V8_FLAGS.map((f) => `"${f}"`).join(', ')}, "--import"`);
  });

  it('the flags are ones this Node accepts', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [...SERVER_V8_FLAGS, '-e', 'process.exit(7)']);
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(7);
  });
});
