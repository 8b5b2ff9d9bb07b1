import { describe, expect, it } from 'vitest';
import { recgateSettings } from '../../../src/bench/recgateSettings.js';

describe('recgateSettings', () => {
  it('prints the RECGATE_* settings as a sorted shell prefix, quoting odd values and leaving out secrets', () => {
    expect(
      recgateSettings({
        RECGATE_VECTOR_PRECISION: 'float16',
        RECGATE_IVF_STORAGE: 'none',
        RECGATE_ADMIN_TOKEN: 's3cret',
        RECGATE_QDRANT_API_KEY: 'k',
        RECGATE_EVENT_LOG_FILE: '/tmp/x.jsonl',
        RECGATE_MODEL_NAME: "it's mine",
        REDIS_URL: 'redis://127.0.0.1:6379',
      }),
    ).toBe("RECGATE_IVF_STORAGE=none RECGATE_MODEL_NAME='it'\\''s mine' RECGATE_VECTOR_PRECISION=float16 ");
    expect(recgateSettings({})).toBe('');
  });
});
