import { afterAll, describe, expect, it } from 'vitest';
import { recgate, removeTempDirs, tempDir } from './cliHarness.js';

afterAll(removeTempDirs);

/** Options shared by `train` and `evaluate` (src/cli/trainOptions.ts). */
const DATA_OPTIONS = [
  '--data <dir>',
  '--format <format>',
  '--split <split>',
  '--registry <dir>',
  '--model-name <name>',
  '--report <file>',
  '--seed <n>',
  '--dimension <n>',
  '--regularization <x>',
  '--alpha <x>',
  '--epochs <n>',
  '--neighbours <n>',
  '--candidates <n>',
  '--ranker-hidden <n>',
  '--ranker-epochs <n>',
  '--label-share <x>',
  '--max-bad-share <x>',
  '--quiet',
];

const CASES: readonly { args: string[]; usage: string; mentions: string[]; absent?: string[] }[] = [
  {
    args: ['--help'],
    usage: 'Usage: recgate [options] [command]',
    mentions: ['train [options]', 'evaluate [options]', 'models', '--help'],
  },
  {
    args: ['train', '--help'],
    usage: 'Usage: recgate train [options]',
    mentions: [...DATA_OPTIONS, '--strict', 'temporal | random:<ratio> | random-per-user:<ratio>', 'generic'],
    absent: ['--version'],
  },
  {
    args: ['evaluate', '--help'],
    usage: 'Usage: recgate evaluate [options]',
    mentions: [...DATA_OPTIONS, '--version <version>'],
    absent: ['--strict'],
  },
  {
    args: ['models', '--help'],
    usage: 'Usage: recgate models [options] [command]',
    mentions: ['list [options]'],
  },
  {
    args: ['models', 'list', '--help'],
    usage: 'Usage: recgate models list [options]',
    mentions: ['--registry <dir>', '--model-name <name>', '--help'],
  },
];

describe.concurrent('CLI: recgate --help', () => {
  const registry = tempDir();
  for (const c of CASES) {
    it(`recgate ${c.args.join(' ')} exits 0 and prints usage with every option`, async () => {
      const r = await recgate(c.args, registry);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(`${c.usage}\n`), r.stdout).toBe(true);
      for (const m of c.mentions) expect(r.stdout, m).toContain(m);
      for (const m of c.absent ?? []) expect(r.stdout, m).not.toContain(m);
    });
  }
});
