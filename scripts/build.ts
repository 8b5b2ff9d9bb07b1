/**
 * `npm run build`: writes `dist/` from the TypeScript sources (see
 * src/build/buildDist.ts for what is built and how) and prints one line to stderr,
 * `build: 370 files → dist/ in 410 ms (740 outputs written, 0 removed)` (stderr, so the
 * output of `npm run recgate -- …`, which builds first, can be piped). On an esbuild error it prints each
 * error as `file:line:column: text` and exits with status 1.
 *
 * Usage: `npm run build` (or `tsx scripts/build.ts`); no options.
 */
import { BuildError, buildDist, fromRoot } from '../src/build/buildDist.js';

try {
  const { outDir, files, written, removed, ms } = await buildDist();
  console.error(
    `build: ${files} files → ${fromRoot(outDir)}/ in ${Math.round(ms)} ms (${written} outputs written, ${removed} removed)`,
  );
} catch (err) {
  console.error(err instanceof BuildError ? err.message : `build failed: ${String(err)}`);
  process.exit(1);
}
