import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
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

/**
 * {@link twoVersionRegistry} in `dir` and a gateway serving it (memory store,
 * event log in `dir`, model polling off: a test reloads with `checkModel`).
 * @returns the gateway (close it) and the model's folder.
 */
export async function twoVersionGateway(dir: string): Promise<{ gateway: Gateway; modelDir: string }> {
  const modelDir = await twoVersionRegistry(dir);
  const gateway = await createGateway({
    registryDir: dir,
    modelName: TEST_MODEL_NAME,
    eventLogFile: path.join(dir, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0,
  });
  return { gateway, modelDir };
}
