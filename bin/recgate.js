#!/usr/bin/env node
// Entry point for `recgate <command>` when installed as a package. It runs the
// compiled build, `node dist/src/cli.js`, when dist/.build-stamp (written by
// `npm run build`, src/build/buildDist.ts) holds the digest of the .ts sources
// the build reads as they are now (src/build/sourceDigest.ts: contents, not
// file times, so sources copied with older times cannot leave a stale build
// running, and files the build skips, such as src/generated/, do not count);
// plain node has no tsx loader thread (~40 MB RSS less, docs/operations.md).
// A package with dist/ but no .ts sources at all (the Docker image, a
// published tarball) runs dist/. When dist/ is missing or was built from
// other sources, it falls back to
// running the TypeScript through tsx and says so on stderr, rather than
// building: the package folder may be read-only, and a stale dist/ must never
// run. `npm run build` makes it use dist/ again.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const builtCli = join(root, 'dist', 'src', 'cli.js');
const digestModule = join(root, 'dist', 'src', 'build', 'sourceDigest.js');

/** Whether dist/ holds a build of the sources as they are now (see the header). */
async function buildIsCurrent() {
  if (!existsSync(builtCli) || !existsSync(digestModule)) return false;
  try {
    const { BUILD_STAMP_FILE, listBuildInputs, sourceDigest } = await import(
      pathToFileURL(digestModule).href
    );
    const sources = listBuildInputs(root);
    // A package shipped with dist/ and without its TypeScript (an image, a published tarball): run it.
    if (sources.length === 0) return true;
    const stamp = readFileSync(join(root, 'dist', BUILD_STAMP_FILE), 'utf8').trim();
    return stamp === sourceDigest(root, sources);
  } catch {
    return false; // no stamp, or a build too old to have one
  }
}

const useBuild = await buildIsCurrent();
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
    'recgate: dist/ is missing or was built from other sources, running them through tsx (npm run build)\n',
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
  // glibc's mmap threshold fixed at 4 MiB unless set (empty counts as unset, as in the npm scripts: glibc
  // would read it as 0); large freed blocks go back to the OS (docs/operations.md).
  {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ || '4194304' },
  },
);
process.exit(result.status ?? 1);
