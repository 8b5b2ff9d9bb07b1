import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../src/components/selectors/pagingCursor.js';
import { PublicError } from '../../../src/errors.js';

describe('Selector: paging cursor', () => {
  it('round-trips request id and offset through an opaque base64url string', () => {
    const c = encodeCursor({ requestId: 'req-1/ä', offset: 40 });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual({ requestId: 'req-1/ä', offset: 40 });
  });

  it('rejects anything else with BAD_USER_INPUT naming `after`', () => {
    for (const bad of [
      '',
      'abc',
      encodeCursor({ requestId: 'r', offset: 1 }).slice(3),
      Buffer.from('{"r":"x","o":-1}').toString('base64url'),
    ]) {
      const err = (() => {
        try {
          decodeCursor(bad);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(PublicError);
      expect((err as PublicError).code).toBe('BAD_USER_INPUT');
      expect((err as PublicError).field).toBe('after');
    }
  });
});
