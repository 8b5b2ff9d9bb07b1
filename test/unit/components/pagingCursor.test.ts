import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../src/components/selectors/pagingCursor.js';
import { PublicError } from '../../../src/errors.js';

describe('Selector: paging cursor', () => {
  it('round-trips request id and offset through an opaque base64url string', () => {
    const c = encodeCursor({ requestId: 'req-1/ä', offset: 40 });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual({ requestId: 'req-1/ä', offset: 40 });
  });

  it('carries the count of items served when it differs from the offset (hidden items were skipped)', () => {
    const c = encodeCursor({ requestId: 'r', offset: 40, served: 37 });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString('utf8'))).toEqual({ r: 'r', o: 40, s: 37 });
    expect(decodeCursor(c)).toEqual({ requestId: 'r', offset: 40, served: 37 });
    // Equal to the offset it is left out: the cursor of a list with nothing skipped is unchanged.
    const same = encodeCursor({ requestId: 'r', offset: 40, served: 40 });
    expect(same).toBe(encodeCursor({ requestId: 'r', offset: 40 }));
    expect(decodeCursor(same)).toEqual({ requestId: 'r', offset: 40 });
  });

  it('rejects anything else with BAD_USER_INPUT naming `after`', () => {
    for (const bad of [
      '',
      'abc',
      encodeCursor({ requestId: 'r', offset: 1 }).slice(3),
      Buffer.from('{"r":"x","o":-1}').toString('base64url'),
      Buffer.from('{"r":"x","o":4,"s":5}').toString('base64url'),
      Buffer.from('{"r":"x","o":4,"s":-1}').toString('base64url'),
      Buffer.from('{"r":"x","o":4,"s":1.5}').toString('base64url'),
      Buffer.from('{"r":"x","o":4,"s":"2"}').toString('base64url'),
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

  it('echoes a bad cursor cut by code points, never half a surrogate pair', () => {
    const bad = `${'a'.repeat(63)}😀xyz${'b'.repeat(100)}`;
    let message = '';
    try {
      decodeCursor(bad);
    } catch (e) {
      message = (e as PublicError).message;
    }
    expect(message).toContain(`received "${'a'.repeat(63)}😀…"`);
    // No lone surrogate (strict JSON clients refuse one): UTF-8 round trip keeps the text as it is.
    expect(Buffer.from(message, 'utf8').toString('utf8')).toBe(message);
    // The old cut at 40 UTF-16 units would have split the emoji of this one.
    const at40 = `${'a'.repeat(39)}😀xyz`;
    let m40 = '';
    try {
      decodeCursor(at40);
    } catch (e) {
      m40 = (e as PublicError).message;
    }
    expect(Buffer.from(m40, 'utf8').toString('utf8')).toBe(m40);
  });
});
