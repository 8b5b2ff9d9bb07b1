#!/usr/bin/env node
// Entry point for `recgate <command>` when installed as a package. It runs the
// compiled build, `node dist/src/cli.js`, when dist/ is there and no .ts file
// under src/, models/ or resolvers/ is newer than dist/.build-stamp (rewritten
// by every `npm run build`, src/build/buildDist.ts); plain
// node has no tsx loader thread (~40 MB RSS less, docs/operations.md). When
// dist/ is missing or older than a source (a checkout edited since its last
// `npm run build`), it falls back to running the TypeScript through tsx and
// says so on stderr, rather than building: the package folder may be read-only,
// and a stale dist/ must never run. `npm run build` makes it use dist/ again.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const builtCli = join(root, 'dist', 'src', 'cli.js');
const stamp = join(root, 'dist', '.build-stamp');

/** Newest modification time (ms) of the .ts files under the source folders, 0 when there are none. */
function newestSourceMtime() {
  let newest = 0;
  for (const dir of ['src', 'models', 'resolvers']) {
    if (!existsSync(join(root, dir))) continue;
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
      }
    }
  }
  return newest;
}

const useBuild = existsSync(builtCli) && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSourceMtime();
// The OpenTelemetry SDK must start before anything it instruments is imported (src/telemetry/register.ts).
const entry = useBuild
  ? ['--import', pathToFileURL(join(root, 'dist', 'src', 'telemetry', 'register.js')).href, builtCli]
  : [
      '--import',
      import.meta.resolve('tsx'),
      '--import',
      pathToFileURL(join(root, 'src', 'telemetry', 'register.ts')).href,
      join(root, 'src', 'cli.ts'),
    ];
if (!useBuild) {
  process.stderr.write(
    'recgate: dist/ is missing or older than the sources, running them through tsx (npm run build)\n',
  );
}
const result = spawnSync(
  process.execPath,
  // Source maps: stack traces in .ts lines (docs/operations.md, "Running the build"). 16 MB
  // young-generation semi-spaces: short scavenge pauses under load; no allocation-site
  // pretenuring: fewer major GCs at 1M items (docs/operations.md, "Starting it").
  [
    '--enable-source-maps',
    '--max-semi-space-size=16',
    '--no-allocation-site-pretenuring',
    ...entry,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
