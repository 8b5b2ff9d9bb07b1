import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEMI_SPACE_FLAG } from '../../../src/bench/benchServerProcess.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('start commands', () => {
  it('run Node with the young-generation size the bench measured (docs/operations.md)', () => {
    const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'serve', 'recgate']) {
      expect(scripts[name], `npm run ${name}`).toContain(SEMI_SPACE_FLAG);
    }
    expect(repoFile('bin/recgate.js')).toContain(`'${SEMI_SPACE_FLAG}'`);
    const cmd = repoFile('docker/Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('CMD '));
    expect(cmd.at(-1)).toContain(`"${SEMI_SPACE_FLAG}"`);
  });
});
