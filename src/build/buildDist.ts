/**
 * The production build (`npm run build`, scripts/build.ts): transpiles every
 * non-test TypeScript file under `src/`, `models/` and `resolvers/` one to
 * one with esbuild into `dist/`, mirroring the tree (`src/cli.ts` →
 * `dist/src/cli.js`), as ESM for Node 20, each with a linked source map
 * (`dist/src/cli.js.map`, sources embedded) so that
 * `node --enable-source-maps` reports `.ts` lines. No bundling and no type
 * checking (`npm run typecheck` does that): `import type` is erased, relative
 * `.js` specifiers already name the output files, and packages stay in
 * `node_modules`. Skipped: `*.test.ts`, `*.d.ts`, any `test/` folder and
 * `src/generated/` (GraphQL Code Generator output, imported for types only).
 *
 * The server runs the build with plain `node` rather than the sources
 * through tsx, whose loader thread costs RSS (~45 MB for the bench server,
 * ~15 MB beside the telemetry hook; docs/operations.md, "Running the build").
 * Runtime paths to `schema/` and the bundled `data/` come from
 * {@link PACKAGE_ROOT}, so the same code works from `src/` and `dist/src/`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { PACKAGE_ROOT } from '../paths/packageRoot.js';
import { BUILD_SOURCE_DIRS, BUILD_STAMP_FILE, listBuildInputs, sourceDigest } from './sourceDigest.js';

export {
  BUILD_SOURCE_DIRS,
  BUILD_STAMP_FILE,
  isBuildInput,
  listBuildInputs,
  sourceDigest,
} from './sourceDigest.js';

/** Options of {@link buildDist}. */
export interface BuildDistOptions {
  /** The package root the source folders are read from. @default PACKAGE_ROOT */
  readonly root?: string;
  /**
   * Output folder, relative to `root` (or absolute). It must lie inside `root`
   * (so that {@link PACKAGE_ROOT} is still `root` from the output) and outside
   * the source folders, since the build deletes every other file in it. @default 'dist'
   */
  readonly outDir?: string;
}

/** What {@link buildDist} did. */
export interface BuildDistResult {
  /** Absolute path of the output folder. */
  readonly outDir: string;
  /** Number of `.ts` files transpiled (each gives one `.js` and one `.js.map`). */
  readonly files: number;
  /** Output files (`.js` and `.js.map`) whose content changed and were written; 0 when `dist/` was up to date. */
  readonly written: number;
  /** Files removed from the output folder because no source produces them any more. */
  readonly removed: number;
  /** Wall milliseconds of the whole build, listing and cleaning included. */
  readonly ms: number;
}

/** Thrown by {@link buildDist} when esbuild reports an error; the message lists every one as `file:line:column: text`. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
}

/**
 * Builds `dist/` (see the module docstring): transpiles
 * {@link listBuildInputs} with esbuild (ESM, platform node, target node20,
 * linked source maps) in memory, then writes only the outputs whose bytes
 * changed, each to a temporary file renamed into place, and deletes every
 * other file of the output folder (the outputs of removed sources; a stray
 * `package.json` too, which would change what {@link PACKAGE_ROOT} finds).
 * So a server already running from `dist/` never reads a half-written
 * module, and parallel builds of the same sources (bench runs, test files)
 * do not disturb each other. Last it writes {@link sourceDigest} of the
 * inputs to {@link BUILD_STAMP_FILE} when that changed (so a build over an
 * up-to-date `dist/` writes nothing). Takes ~0.5 s for the ~370 files.
 * @throws BuildError when esbuild reports an error (a syntax error, say),
 *   listing each as `file:line:column: text`; nothing is written then.
 * @throws Error when there is nothing to build under `root`, or when `outDir`
 *   is `root` itself, outside it, or inside a source folder.
 */
export async function buildDist(options: BuildDistOptions = {}): Promise<BuildDistResult> {
  const started = performance.now();
  const root = options.root ?? PACKAGE_ROOT;
  const outDir = resolve(root, options.outDir ?? 'dist');
  const outRel = relative(root, outDir);
  if (
    outRel === '' ||
    outRel.startsWith('..') ||
    isAbsolute(outRel) ||
    BUILD_SOURCE_DIRS.includes(outRel.split(sep)[0]!)
  ) {
    throw new Error(
      `outDir must be a folder inside ${root} and outside ${BUILD_SOURCE_DIRS.join(', ')}; received ${outDir}`,
    );
  }
  const inputs = listBuildInputs(root);
  if (inputs.length === 0) {
    throw new Error(`nothing to build: no .ts file under ${BUILD_SOURCE_DIRS.join(', ')} of ${root}`);
  }
  let outputs: { path: string; contents: Uint8Array }[];
  try {
    ({ outputFiles: outputs } = await build({
      absWorkingDir: root,
      entryPoints: inputs,
      outdir: outDir,
      outbase: '.',
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent',
      write: false,
    }));
  } catch (err) {
    const errors = (err as { errors?: EsbuildMessage[] }).errors;
    if (errors === undefined) throw err;
    const lines = errors.map((e) =>
      e.location === null ? e.text : `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}`,
    );
    throw new BuildError(`build failed with ${lines.length} error(s):\n${lines.join('\n')}`);
  }
  let written = 0;
  for (const { path, contents } of outputs) {
    if (sameBytes(path, contents)) continue;
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
    written++;
  }
  const stamp = join(outDir, BUILD_STAMP_FILE);
  const keep = new Set([...outputs.map((o) => o.path), stamp]);
  let removed = 0;
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    // Another build's temporary file is that build's business.
    if (!entry.isFile() || keep.has(file) || entry.name.endsWith('.tmp')) continue;
    rmSync(file, { force: true });
    removed++;
  }
  // The stamp names the sources this dist/ was built from; rewritten only when that changed, so
  // a build over an up-to-date, read-only dist/ writes nothing.
  const digest = `${sourceDigest(root, inputs)}\n`;
  if (!sameBytes(stamp, Buffer.from(digest))) {
    writeFileSync(`${stamp}.${process.pid}.tmp`, digest);
    renameSync(`${stamp}.${process.pid}.tmp`, stamp);
  }
  return { outDir, files: inputs.length, written, removed, ms: performance.now() - started };
}

/** The part of an esbuild error message {@link buildDist} reports. */
interface EsbuildMessage {
  readonly text: string;
  readonly location: { readonly file: string; readonly line: number; readonly column: number } | null;
}

/** Whether `path` exists with exactly `contents`. */
function sameBytes(path: string, contents: Uint8Array): boolean {
  try {
    return Buffer.from(contents).equals(readFileSync(path));
  } catch {
    return false;
  }
}

/** The first {@link buildDist} of this process, started by the first {@link buildDistOnce} call. */
let once: Promise<BuildDistResult> | undefined;

/**
 * {@link buildDist} with the defaults, at most once per process: the bench
 * calls it before each server start, and every start of one bench run then
 * shares the one build. A failed build is not retried.
 */
export function buildDistOnce(): Promise<BuildDistResult> {
  once ??= buildDist();
  return once;
}

/** Relative path of `file` from the package root, with `/` separators (for messages). */
export function fromRoot(file: string, root: string = PACKAGE_ROOT): string {
  return relative(root, file).split(sep).join('/');
}
