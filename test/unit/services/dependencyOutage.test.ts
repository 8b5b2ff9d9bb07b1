import { describe, expect, it } from 'vitest';
import { StageTimeoutError } from '../../../src/pipeline/pipelineStageError.js';
import { isDependencyOutage } from '../../../src/services/dependencyOutage.js';
import { DependencyUnavailableError } from '../../../src/stores/fallback/circuitBreaker.js';
import { NotSentError } from '../../../src/stores/notSentError.js';
import { VectorIndexUnavailableError } from '../../../src/stores/qdrant/qdrantErrors.js';

describe('isDependencyOutage', () => {
  it('is true for an unreachable or silent backend, also as a cause', () => {
    const refused = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(isDependencyOutage(refused)).toBe(true);
    expect(isDependencyOutage(new Error('Connection is closed.'))).toBe(true);
    expect(isDependencyOutage(new Error('Command timed out'))).toBe(true);
    expect(isDependencyOutage(new NotSentError('not sent'))).toBe(true);
    expect(isDependencyOutage(new DependencyUnavailableError('redis', 'circuit open'))).toBe(true);
    expect(isDependencyOutage(new StageTimeoutError('redis', 50))).toBe(true);
    expect(isDependencyOutage(new VectorIndexUnavailableError('unavailable', 503, 'qdrant 503'))).toBe(true);
    expect(isDependencyOutage(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDependencyOutage(new Error('seeding failed', { cause: refused }))).toBe(true);
  });

  it('is false for a bad file, a validation error or an error reply', () => {
    expect(isDependencyOutage(new Error('user-state.jsonl:7: expected a user state object'))).toBe(false);
    expect(isDependencyOutage(new RangeError('manifest: ranker has 3 features, the ONNX input 4'))).toBe(
      false,
    );
    expect(
      isDependencyOutage(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe(false);
    expect(isDependencyOutage(Object.assign(new Error('no file'), { code: 'ENOENT' }))).toBe(false);
    expect(isDependencyOutage('Connection is closed.')).toBe(false);
  });
});
