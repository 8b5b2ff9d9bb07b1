import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILD_STAMP_FILE,
  BuildError,
  buildDist,
  isBuildInput,
  listBuildInputs,
  sourceDigest,
} from '../../../src/build/buildDist.js';
import { repoRoot } from '../../support/trainedRegistry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `files` (path relative to a fresh root → text) and returns the root. */
function project(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const SOURCES = {
  'package.json': '{"type":"module"}',
  'src/main.ts':
    "import { twice } from './lib/twice.js';\nimport type { Unit } from '../models/unit.js';\nconst u: Unit = 'ms';\nexport const out = `${twice(21)} ${u}`;\n",
  'src/lib/twice.ts': '/** Doubles. */\nexport function twice(n: number): number {\n  return n * 2;\n}\n',
  'models/unit.ts': "export type Unit = 'ms' | 's';\nexport const UNITS: Unit[] = ['ms', 's'];\n",
  'resolvers/index.ts': 'export const resolvers = {};\n',
  'src/lib/twice.test.ts': 'throw new Error("a test is not built");\n',
  'src/generated/graphql.ts': 'export type X = 1;\n',
  'src/test/helper.ts': 'export const x = 1;\n',
  'src/types.d.ts': 'declare const y: number;\n',
  'test/unit/a.ts': 'export const z = 1;\n',
  'scripts/tool.ts': 'export const w = 1;\n',
};

describe('isBuildInput / listBuildInputs', () => {
  it('take the .ts files of src/, models/ and resolvers/, not tests, declarations or generated code', () => {
    const root = project('list', SOURCES);
    expect(listBuildInputs(root)).toEqual([
      'models/unit.ts',
      'resolvers/index.ts',
      'src/lib/twice.ts',
      'src/main.ts',
    ]);
    expect(isBuildInput('src/cli.ts')).toBe(true);
    expect(isBuildInput('src/bench/benchServer.ts')).toBe(true);
    expect(isBuildInput('src/stores/embedded/dotKernel.wat')).toBe(false);
    expect(isBuildInput('test/unit/paths/packageRoot.test.ts')).toBe(false);
  });

  it('finds the files of this repository that the server runs', () => {
    const inputs = listBuildInputs(repoRoot);
    for (const f of [
      'src/cli.ts',
      'src/telemetry/register.ts',
      'src/bench/benchServer.ts',
      'resolvers/index.ts',
    ]) {
      expect(inputs).toContain(f);
    }
    expect(inputs.filter((f) => f.endsWith('.test.ts') || f.startsWith('src/generated/'))).toEqual([]);
  });
});

describe('buildDist', () => {
  it('mirrors the tree into dist/ as runnable ESM with linked source maps of the .ts lines', async () => {
    const root = project('mirror', SOURCES);
    const r = await buildDist({ root });
    expect(r).toMatchObject({ outDir: path.join(root, 'dist'), files: 4, written: 8, removed: 0 });
    for (const f of ['src/main.js', 'src/lib/twice.js', 'models/unit.js', 'resolvers/index.js']) {
      expect(existsSync(path.join(root, 'dist', f)), f).toBe(true);
      expect(readFileSync(path.join(root, 'dist', f), 'utf8')).toMatch(
        new RegExp(`//# sourceMappingURL=${path.basename(f)}\\.map\\n$`),
      );
    }
    expect(existsSync(path.join(root, 'dist', 'src', 'lib', 'twice.test.js'))).toBe(false);
    expect(existsSync(path.join(root, 'dist', 'package.json'))).toBe(false);
    const map = JSON.parse(readFileSync(path.join(root, 'dist', 'src', 'lib', 'twice.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent: string[];
    };
    expect(map.sources).toEqual(['../../../src/lib/twice.ts']);
    expect(map.sourcesContent[0]).toBe(SOURCES['src/lib/twice.ts']);
    // Plain node runs the output: the type import is erased, the .js specifiers resolve.
    const main = (await import(pathToFileURL(path.join(root, 'dist', 'src', 'main.js')).href)) as {
      out: string;
    };
    expect(main.out).toBe('42 ms');
  });

  it('writes only what changed, removes the outputs of deleted sources, and refreshes its stamp', async () => {
    const root = project('incremental', SOURCES);
    await buildDist({ root });
    const stamp = path.join(root, 'dist', BUILD_STAMP_FILE);
    const first = readFileSync(stamp, 'utf8');
    expect(first).toBe(`${sourceDigest(root)}\n`);
    const stampTime = statSync(stamp).mtimeMs;
    expect(await buildDist({ root })).toMatchObject({ written: 0, removed: 0 });
    expect(statSync(stamp).mtimeMs).toBe(stampTime); // nothing changed: not even the stamp is written
    writeFileSync(
      path.join(root, 'src', 'lib', 'twice.ts'),
      'export const twice = (n: number): number => n + n;\n',
    );
    rmSync(path.join(root, 'resolvers', 'index.ts'));
    writeFileSync(path.join(root, 'dist', 'package.json'), '{}'); // would move PACKAGE_ROOT into dist/
    const r = await buildDist({ root });
    expect(r).toMatchObject({ files: 3, written: 2, removed: 3 });
    expect(existsSync(path.join(root, 'dist', 'resolvers', 'index.js'))).toBe(false);
    expect(existsSync(path.join(root, 'dist', 'package.json'))).toBe(false);
    expect(readFileSync(stamp, 'utf8')).toBe(`${sourceDigest(root)}\n`);
    expect(readFileSync(stamp, 'utf8')).not.toBe(first);
    expect(sourceDigest(root)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fails with a BuildError naming file, line and column, and writes nothing', async () => {
    const root = project('broken', {
      ...SOURCES,
      'src/lib/twice.ts': 'export function twice(n: number {\n}\n',
    });
    const err = await buildDist({ root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(
      /^build failed with 1 error\(s\):\nsrc\/lib\/twice\.ts:1:\d+: Expected/,
    );
    expect(existsSync(path.join(root, 'dist', 'src', 'main.js'))).toBe(false);
  });

  it('refuses an output folder it could not own: the root, outside it, or a source folder', async () => {
    const root = project('guarded', SOURCES);
    for (const outDir of ['.', '..', '/tmp/recgate-dist', 'src', 'models/out']) {
      await expect(buildDist({ root, outDir }), outDir).rejects.toThrow(/^outDir must be a folder inside /);
    }
    expect(existsSync(path.join(root, 'src', 'main.ts'))).toBe(true);
    expect((await buildDist({ root, outDir: path.join(root, 'var', 'out') })).files).toBe(4);
  });

  it('throws when there is nothing to build', async () => {
    const root = project('empty', { 'package.json': '{}' });
    await expect(buildDist({ root })).rejects.toThrow(
      /^nothing to build: no \.ts file under src, models, resolvers of /,
    );
  });
});
