import { describe, expect, it } from 'vitest';
import { configFromEnv, resolveGatewayConfig } from '../../../src/config.js';

describe('RECGATE_VECTOR_INDEX=ivf, RECGATE_IVF_LISTS, RECGATE_IVF_PROBES', () => {
  it('are read from the environment; lists default to 0 (automatic) and probes to 16', () => {
    const env = configFromEnv({
      RECGATE_VECTOR_INDEX: 'ivf',
      RECGATE_IVF_LISTS: '2048',
      RECGATE_IVF_PROBES: '48',
    });
    expect(env).toMatchObject({ vectorIndex: 'ivf', ivfLists: 2048, ivfProbes: 48 });
    expect(resolveGatewayConfig(env)).toMatchObject({ vectorIndex: 'ivf', ivfLists: 2048, ivfProbes: 48 });
    expect(resolveGatewayConfig({})).toMatchObject({ vectorIndex: 'embedded', ivfLists: 0, ivfProbes: 16 });
  });

  it('rejects lists outside 0..65536 and probes outside 1..65536, naming the option', () => {
    for (const bad of [-1, 2.5, 65_537, Number.NaN]) {
      expect(() => resolveGatewayConfig({ ivfLists: bad })).toThrow(
        /ivfLists: expected an integer in 0\.\.65536/,
      );
    }
    for (const bad of [0, 1.5, 65_537]) {
      expect(() => resolveGatewayConfig({ ivfProbes: bad })).toThrow(
        /ivfProbes: expected an integer in 1\.\.65536/,
      );
    }
    expect(() => configFromEnv({ RECGATE_IVF_PROBES: 'many' })).toThrow(/RECGATE_IVF_PROBES/);
  });

  it('reads RECGATE_IVF_STORAGE (none by default, float32 or int8) and names it for any other value', () => {
    expect(resolveGatewayConfig({})).toMatchObject({ ivfStorage: 'none' });
    expect(configFromEnv({ RECGATE_IVF_STORAGE: 'int8' })).toMatchObject({ ivfStorage: 'int8' });
    expect(configFromEnv({ RECGATE_IVF_STORAGE: 'float32' })).toMatchObject({ ivfStorage: 'float32' });
    expect(() => configFromEnv({ RECGATE_IVF_STORAGE: 'int4' })).toThrow(
      /RECGATE_IVF_STORAGE: expected "float32" or "int8" or "none", received "int4"/,
    );
  });

  it('reads RECGATE_VECTOR_PRECISION (auto by default, float32 or float16) and names it for any other value', () => {
    expect(resolveGatewayConfig({})).toMatchObject({ vectorPrecision: 'auto' });
    expect(configFromEnv({ RECGATE_VECTOR_PRECISION: 'float16' })).toMatchObject({
      vectorPrecision: 'float16',
    });
    expect(configFromEnv({ RECGATE_VECTOR_PRECISION: 'float32' })).toMatchObject({
      vectorPrecision: 'float32',
    });
    expect(() => configFromEnv({ RECGATE_VECTOR_PRECISION: 'bf16' })).toThrow(
      /RECGATE_VECTOR_PRECISION: expected "auto" or "float32" or "float16", received "bf16"/,
    );
  });
});
