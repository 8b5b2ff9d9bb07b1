import { describe, expect, it } from 'vitest';
import { feedbackWeight } from '../../../src/services/feedback/feedbackWeight.js';
import { KeyedQueue } from '../../../src/services/feedback/keyedQueue.js';

describe('Feedback: feedbackWeight', () => {
  const tenPoint = { min: 0, max: 10, positiveThreshold: 7 };
  const fivePoint = { min: 1, max: 5, positiveThreshold: 4 };

  it.each([
    ['VIEW', 0.5],
    ['CLICK', 1],
    ['LIKE', 2],
    ['ADD_TO_CART', 2],
    ['PURCHASE', 3],
    ['SHARE', 2],
    ['DISLIKE', 0],
    ['DISMISS', 0],
  ] as const)('weighs %s %d', (type, weight) => {
    expect(feedbackWeight(type, null, tenPoint)).toBe(weight);
  });

  it.each([
    [tenPoint, 6.9, 0],
    [tenPoint, 7, 1],
    [tenPoint, 8.5, 1.5],
    [tenPoint, 10, 2],
    [fivePoint, 3, 0],
    [fivePoint, 4.5, 1.5],
    [fivePoint, 9, 2],
    [null, 7, 1],
    [null, 5, 0],
  ])('weighs a RATING on %j of %d as %d (1 at the threshold, 2 at the top)', (scale, value, weight) => {
    expect(feedbackWeight('RATING', value, scale)).toBeCloseTo(weight, 12);
  });

  it('weighs a RATING without a value (a seeded training positive) 1', () => {
    expect(feedbackWeight('RATING', null, tenPoint)).toBe(1);
  });
});

describe('Feedback: KeyedQueue', () => {
  it('runs tasks of one key one at a time in order, and other keys meanwhile', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = queue.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
    });
    const a2 = queue.run('a', async () => void log.push('a2'));
    await queue.run('b', async () => void log.push('b1'));
    expect(log).toEqual(['a1 start', 'b1']);
    release();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('goes on with the next task after a failure', async () => {
    const queue = new KeyedQueue();
    await expect(queue.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run('a', async () => 7)).resolves.toBe(7);
  });
});
