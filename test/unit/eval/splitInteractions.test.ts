import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../../src/domain/interaction.js';
import { createRandom } from '../../../src/domain/random.js';
import { splitInteractions } from '../../../models/eval/splitInteractions.js';
import { parseSplitSpec, SplitSpecError } from '../../../models/eval/splitSpec.js';

const at = (userId: string, itemId: string, timestamp: number): Interaction => ({
  userId,
  itemId,
  timestamp,
  type: 'CLICK',
  value: null,
});

/** `n` interactions with timestamps 1..n (ms), users u0..u4 in turn, item i<t>. */
function sequence(n: number): Interaction[] {
  return Array.from({ length: n }, (_, t) => at(`u${t % 5}`, `i${t + 1}`, t + 1));
}

/** `n` random interactions over `users` users and 1000 items, timestamps in a 1-year window. */
function synthetic(n: number, users: number, seed = 7): Interaction[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () =>
    at(
      `u${random.int(0, users - 1)}`,
      `i${random.int(0, 999)}`,
      1_600_000_000_000 + random.int(0, 31_536_000_000),
    ),
  );
}

const timestamps = (part: readonly Interaction[]): number[] => part.map((x) => x.timestamp);
const countBy = (part: readonly Interaction[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const { userId } of part) counts.set(userId, (counts.get(userId) ?? 0) + 1);
  return counts;
};

describe('Split: temporal', () => {
  const temporal = parseSplitSpec('temporal');

  it('puts the last 10% by time in test', () => {
    // n = 20, m = round(20 · 0.1) = 2: the cut t* is the 19th timestamp; test = {19, 20}
    const split = splitInteractions(sequence(20), temporal, { seed: 1 });
    expect(split.spec).toBe('temporal');
    expect(split.train).toHaveLength(18);
    expect(timestamps(split.test)).toEqual([19, 20]);
    expect(split.trainRange).toEqual({ from: 1, to: 18 });
    expect(split.testRange).toEqual({ from: 19, to: 20 });
  });

  it('honours testShare', () => {
    // n = 20, m = round(20 · 0.3) = 6: test = timestamps 15..20
    const split = splitInteractions(sequence(20), temporal, { seed: 1, testShare: 0.3 });
    expect(timestamps(split.test)).toEqual([15, 16, 17, 18, 19, 20]);
  });

  it('sends every interaction tied at the cut time to test', () => {
    // timestamps 1..7, 8, 8, 8; m = round(10 · 0.1) = 1; t* = 8; all three 8s are test
    const data = [...sequence(7), at('u1', 'x', 8), at('u2', 'y', 8), at('u3', 'z', 8)];
    const split = splitInteractions(data, temporal, { seed: 1 });
    expect(timestamps(split.test)).toEqual([8, 8, 8]);
    expect(split.train).toHaveLength(7);
  });

  it('keeps every train timestamp before every test timestamp, whatever the input order', () => {
    const data = synthetic(5_000, 200);
    const split = splitInteractions(data, temporal, { seed: 1 });
    const lastTrain = Math.max(...timestamps(split.train));
    const firstTest = Math.min(...timestamps(split.test));
    expect(lastTrain).toBeLessThan(firstTest);
    // m = round(5000 · 0.1) = 500; ties at the cut time could only add more
    expect(split.test.length).toBeGreaterThanOrEqual(500);
    expect(split.train.length + split.test.length).toBe(5_000);
    const shuffled = createRandom(3).shuffle([...data]);
    const again = splitInteractions(shuffled, temporal, { seed: 99 });
    expect(new Set(again.test)).toEqual(new Set(split.test));
  });

  it('reports users with test interactions and no training interaction as cold-start users', () => {
    const data = [
      at('old', 'a', 1),
      at('old', 'b', 2),
      at('both', 'a', 3),
      at('old', 'c', 4),
      at('both', 'c', 5),
      at('old', 'd', 6),
      at('old', 'e', 7),
      at('old', 'f', 8),
      at('new', 'a', 9),
      at('both', 'b', 10),
    ];
    // n = 10, testShare 0.2 → m = 2: test = {new@9, both@10}; 'both' also trains
    const split = splitInteractions(data, temporal, { seed: 1, testShare: 0.2 });
    expect(split.coldStartUsers).toEqual(new Set(['new']));
  });

  it('keeps input order in both parts and does not modify the input', () => {
    const data = [at('u', 'a', 30), at('u', 'b', 10), at('u', 'c', 20), at('v', 'd', 40)];
    const copy = [...data];
    // m = round(4 · 0.25) = 1 → test = {d@40}
    const split = splitInteractions(data, temporal, { seed: 1, testShare: 0.25 });
    expect(timestamps(split.train)).toEqual([30, 10, 20]);
    expect(data).toEqual(copy);
  });

  it('handles empty and single-interaction input', () => {
    const empty = splitInteractions([], temporal, { seed: 1 });
    expect([empty.train, empty.test, empty.trainRange, empty.testRange]).toEqual([[], [], null, null]);
    const one = splitInteractions([at('u', 'a', 5)], temporal, { seed: 1 });
    expect(one.train).toHaveLength(1);
    expect(one.test).toHaveLength(0);
  });

  it.each([0, 1, -0.1, Number.NaN])('rejects testShare = %s', (testShare) => {
    expect(() => splitInteractions(sequence(10), temporal, { seed: 1, testShare })).toThrow(
      `temporal testShare must be between 0 and 1 (exclusive), got ${testShare}`,
    );
  });
});

describe('Split: random:<ratio>', () => {
  const random = parseSplitSpec('random:0.8');

  it('trains exactly round(n · ratio) interactions', () => {
    const split = splitInteractions(sequence(101), random, { seed: 1 });
    // round(101 · 0.8) = round(80.8) = 81
    expect(split.spec).toBe('random:0.8');
    expect(split.train).toHaveLength(81);
    expect(split.test).toHaveLength(20);
  });

  it('partitions the input and keeps input order', () => {
    const data = sequence(100);
    const split = splitInteractions(data, random, { seed: 1 });
    expect(new Set([...split.train, ...split.test])).toEqual(new Set(data));
    const trainTimes = timestamps(split.train);
    expect(trainTimes).toEqual([...trainTimes].sort((a, b) => a - b));
  });

  it('is deterministic under a seed and differs under another seed', () => {
    const data = sequence(1_000);
    const first = splitInteractions(data, random, { seed: 42 });
    const second = splitInteractions(data, random, { seed: 42 });
    const other = splitInteractions(data, random, { seed: 43 });
    expect(second.test).toEqual(first.test);
    expect(other.test).not.toEqual(first.test);
  });

  it('reports users that only appear in test as cold-start users', () => {
    const data = [...sequence(50), at('lonely', 'z', 99)];
    const seed = [...Array(50).keys()].find((s) =>
      splitInteractions(data, random, { seed: s }).test.some((x) => x.userId === 'lonely'),
    );
    expect(seed).toBeDefined();
    const split = splitInteractions(data, random, { seed: seed as number });
    expect(split.coldStartUsers.has('lonely')).toBe(true);
  });

  it('rejects a non-integer seed', () => {
    expect(() => splitInteractions(sequence(10), random, { seed: 1.5 })).toThrow(
      'split seed must be an integer, got 1.5',
    );
  });
});

describe('Split: random-per-user:<ratio>', () => {
  const perUser = parseSplitSpec('random-per-user:0.75');
  // counts per user → train count = round(c · 0.75) clamped to [1, c − 1]:
  // c = 10 → round(7.5) = 8; c = 4 → 3; c = 3 → round(2.25) = 2; c = 2 → round(1.5) = 2 → 1; c = 1 → 1 (kept)
  const COUNTS: Record<string, number> = { ten: 10, four: 4, three: 3, two: 2, one: 1 };
  const EXPECTED_TRAIN: Record<string, number> = { ten: 8, four: 3, three: 2, two: 1, one: 1 };
  const data: Interaction[] = [];
  let t = 0;
  for (const [user, count] of Object.entries(COUNTS)) {
    for (let i = 0; i < count; i++) data.push(at(user, `${user}-${i}`, ++t));
  }

  it('stratifies per user: round(c · ratio) train, at least one on each side when c ≥ 2', () => {
    const split = splitInteractions(data, perUser, { seed: 5 });
    const train = countBy(split.train);
    const test = countBy(split.test);
    for (const [user, count] of Object.entries(COUNTS)) {
      expect(train.get(user), user).toBe(EXPECTED_TRAIN[user]);
      expect(test.get(user) ?? 0, user).toBe(count - (EXPECTED_TRAIN[user] as number));
    }
    expect(split.coldStartUsers.size).toBe(0);
  });

  it('is deterministic under a seed and differs under another seed', () => {
    const big = synthetic(5_000, 100);
    const first = splitInteractions(big, perUser, { seed: 42 });
    expect(splitInteractions(big, perUser, { seed: 42 }).test).toEqual(first.test);
    expect(splitInteractions(big, perUser, { seed: 43 }).test).not.toEqual(first.test);
  });
});

describe('Split: leave-last-out', () => {
  const leaveLastOut = parseSplitSpec('leave-last-out');

  it("takes each user's last interaction by time as the test, whatever the input order", () => {
    const data = [
      at('u', 'a', 5),
      at('u', 'b', 1),
      at('u', 'c', 9),
      at('u', 'd', 3),
      at('v', 'e', 2),
      at('v', 'f', 4),
    ];
    const split = splitInteractions(data, leaveLastOut, { seed: 1 });
    expect(split.test.map((x) => x.itemId)).toEqual(['c', 'f']);
    expect(split.train.map((x) => x.itemId)).toEqual(['a', 'b', 'd', 'e']);
  });

  it('breaks a tie on the last timestamp by input order', () => {
    const split = splitInteractions([at('u', 'a', 1), at('u', 'b', 7), at('u', 'c', 7)], leaveLastOut, {
      seed: 1,
    });
    expect(split.test.map((x) => x.itemId)).toEqual(['c']);
  });

  it('keeps the only interaction of a single-interaction user in train', () => {
    const split = splitInteractions([at('solo', 'a', 1), at('u', 'b', 2), at('u', 'c', 3)], leaveLastOut, {
      seed: 1,
    });
    expect(split.train.map((x) => x.itemId)).toEqual(['a', 'b']);
    expect(split.coldStartUsers.size).toBe(0);
  });
});

describe('Split: none', () => {
  it('is rejected by splitInteractions', () => {
    expect(() => splitInteractions(sequence(3), parseSplitSpec('none'), { seed: 1 })).toThrow(SplitSpecError);
  });
});

describe('Split: performance', () => {
  it.each(['temporal', 'random:0.8', 'random-per-user:0.75', 'leave-last-out'])(
    'splits 100k interactions into parts that add up (%s)',
    (spec) => {
      const data = synthetic(100_000, 5_000);
      const split = splitInteractions(data, parseSplitSpec(spec), { seed: 1 });
      expect(split.train.length + split.test.length).toBe(100_000);
    },
  );
});
