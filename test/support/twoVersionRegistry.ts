import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';
import { TEST_MODEL_NAME, trainedRegistry } from './trainedRegistry.js';

/**
 * Fills the registry folder `dir` with two copies of the trained test model,
 * versions `v1` and `v2` (each manifest naming its own version), and points
 * CURRENT at v1: a hot reload test sets CURRENT to v2 and asks the gateway to
 * check. @returns the model's folder (`dir/<TEST_MODEL_NAME>`).
 */
export async function twoVersionRegistry(dir: string): Promise<string> {
  const base = await trainedRegistry();
  const modelDir = path.join(dir, TEST_MODEL_NAME);
  const source = readCurrentVersion(base, TEST_MODEL_NAME)!;
  for (const version of ['v1', 'v2']) {
    cpSync(path.join(base, TEST_MODEL_NAME, source), path.join(modelDir, version), { recursive: true });
    const manifest = path.join(modelDir, version, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version }));
  }
  setCurrentVersion(dir, TEST_MODEL_NAME, 'v1');
  return modelDir;
}
