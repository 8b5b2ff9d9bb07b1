#!/usr/bin/env node
// Entry point for `recgate <command>` when installed as a package: runs the
// TypeScript CLI through tsx so there is no separate build step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsxCli = require.resolve('tsx/cli');
// The OpenTelemetry SDK must start before anything it instruments is imported (src/telemetry/register.ts).
const telemetry = pathToFileURL(join(root, 'src', 'telemetry', 'register.ts')).href;
const result = spawnSync(
  process.execPath,
  // 16 MB young-generation semi-spaces: short scavenge pauses under load; no allocation-site
  // pretenuring: fewer major GCs at 1M items (docs/operations.md, "Starting it").
  [
    tsxCli,
    '--max-semi-space-size=16',
    '--no-allocation-site-pretenuring',
    '--import',
    telemetry,
    join(root, 'src', 'cli.ts'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
