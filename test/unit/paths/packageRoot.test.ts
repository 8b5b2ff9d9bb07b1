import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findPackageRoot, PACKAGE_ROOT } from '../../../src/paths/packageRoot.js';
import { SCHEMA_DIR } from '../../../src/server/loadTypeDefs.js';
import { BUNDLED_DATA_DIR } from '../../../src/server/ensureTrainedModel.js';
import { repoRoot } from '../../support/trainedRegistry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-package-root-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake package: `<tmp>/<name>/package.json`, `src/server/x.ts` and its build `dist/src/server/x.js`. */
function fakePackage(name: string): string {
  const root = path.join(tmp, name);
  mkdirSync(path.join(root, 'src', 'server'), { recursive: true });
  mkdirSync(path.join(root, 'dist', 'src', 'server'), { recursive: true });
  writeFileSync(path.join(root, 'package.json'), '{}');
  writeFileSync(path.join(root, 'src', 'server', 'x.ts'), '');
  writeFileSync(path.join(root, 'dist', 'src', 'server', 'x.js'), '');
  return root;
}

describe('findPackageRoot', () => {
  it('finds the same root from a source module and from its build in dist/', () => {
    const root = fakePackage('same');
    const fromSource = pathToFileURL(path.join(root, 'src', 'server', 'x.ts')).href;
    const fromBuild = pathToFileURL(path.join(root, 'dist', 'src', 'server', 'x.js')).href;
    expect(findPackageRoot(fromSource)).toBe(root);
    expect(findPackageRoot(fromBuild)).toBe(root);
  });

  it('takes a plain path as well as a file: URL, and a folder as well as a file', () => {
    const root = fakePackage('paths');
    expect(findPackageRoot(path.join(root, 'dist', 'src', 'server', 'x.js'))).toBe(root);
    expect(findPackageRoot(path.join(root, 'dist', 'src'))).toBe(root);
    expect(findPackageRoot(root)).toBe(root);
  });

  it('stops at the nearest package.json (a package installed inside another)', () => {
    const outer = fakePackage('outer');
    const inner = path.join(outer, 'node_modules', 'recgate');
    mkdirSync(path.join(inner, 'dist', 'src'), { recursive: true });
    writeFileSync(path.join(inner, 'package.json'), '{}');
    expect(findPackageRoot(path.join(inner, 'dist', 'src', 'cli.js'))).toBe(inner);
  });

  it.skipIf(existsSync('/package.json') || existsSync(path.join(os.tmpdir(), 'package.json')))(
    'throws, naming the start, when no folder up to the filesystem root has a package.json',
    () => {
      const lonely = path.join(tmp, 'lonely', 'a');
      mkdirSync(lonely, { recursive: true });
      expect(() => findPackageRoot(lonely)).toThrow(`no package.json in ${lonely} or any folder above it`);
    },
  );
});

describe('PACKAGE_ROOT and the paths built on it', () => {
  it('is the repository root, so schema/ and the bundled data resolve there', () => {
    expect(PACKAGE_ROOT).toBe(repoRoot);
    expect(SCHEMA_DIR).toBe(path.join(repoRoot, 'schema'));
    expect(BUNDLED_DATA_DIR).toBe(path.join(repoRoot, 'data', 'movietweetings'));
    expect(existsSync(path.join(BUNDLED_DATA_DIR, 'ratings.dat'))).toBe(true);
  });
});
