import { describe, expect, it } from 'vitest';
import { throttledWarning } from '../../../src/telemetry/throttledWarning.js';

describe('throttledWarning', () => {
  it('warns at once, then at most once per interval, with the count of calls it did not log', () => {
    let t = 1000;
    const logged: { part: string; suppressed: number }[] = [];
    const warn = throttledWarning<{ part: string }>(
      (f) => logged.push(f),
      60_000,
      () => t,
    );
    warn({ part: 'a' });
    expect(logged).toEqual([{ part: 'a', suppressed: 0 }]);
    t += 59_999;
    warn({ part: 'b' });
    warn({ part: 'c' });
    expect(logged).toHaveLength(1);
    t += 1;
    warn({ part: 'd' });
    expect(logged).toEqual([
      { part: 'a', suppressed: 0 },
      { part: 'd', suppressed: 2 },
    ]);
    t += 120_000;
    warn({ part: 'e' });
    expect(logged.at(-1)).toEqual({ part: 'e', suppressed: 0 });
  });

  it('rejects an interval that is not a positive finite number', () => {
    for (const ms of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => throttledWarning(() => undefined, ms)).toThrow(RangeError);
    }
  });
});
