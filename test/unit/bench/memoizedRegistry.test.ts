import { describe, expect, it } from 'vitest';
import { memoizedRegistry } from '../../../src/bench/memoizedRegistry.js';
import type { ModelRegistry } from '../../../src/stores/modelRegistry.js';

describe('memoizedRegistry', () => {
  it('reads a version once and hands every caller the same loaded object; a failed read is retried', async () => {
    let loads = 0;
    let fail = true;
    const inner: ModelRegistry = {
      name: 'fake',
      currentVersion: async () => 'v1',
      listVersions: async () => ['v1'],
      rankerPath: (v) => `/r/${v}/model.onnx`,
      load: async (v) => {
        loads++;
        if (v === 'bad' && fail) {
          fail = false;
          throw new Error('torn');
        }
        return { version: v } as unknown as Awaited<ReturnType<ModelRegistry['load']>>;
      },
    };
    const registry = memoizedRegistry(inner);
    const [a, b] = await Promise.all([registry.load('v1'), registry.load('v1')]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    await expect(registry.load('bad')).rejects.toThrow('torn');
    await expect(registry.load('bad')).resolves.toEqual({ version: 'bad' });
    expect(registry.rankerPath('v1')).toBe('/r/v1/model.onnx');
    expect(registry.readUserStates).toBeUndefined();
  });
});
