import { describe, expect, it } from 'vitest';
import { keySlot } from '../../../src/stores/redis/keySlot.js';

/**
 * keySlot against the Redis Cluster specification ("Keys distribution model")
 * and the documented `CLUSTER KEYSLOT` examples; redisCluster.test.ts also
 * checks it against a live cluster.
 */
describe('keySlot (Redis Cluster hash slots)', () => {
  it('is CRC16/XModem mod 16384: "123456789" has CRC 0x31C3, slot 12739', () => {
    expect(keySlot('123456789')).toBe(0x31c3);
  });

  it('matches the CLUSTER KEYSLOT documentation examples', () => {
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(2515);
    expect(keySlot('bar{hash_tag}')).toBe(2515);
  });

  it('hashes only the first non-empty {…} tag, as the specification’s examples say', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('{user1000}.followers')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar')); // empty first tag: the whole key
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
  });

  it('hashes UTF-8 bytes and stays within 0..16383', () => {
    expect(keySlot('{é}x')).toBe(keySlot('é'));
    for (const key of ['', 'a', 'recgate:{items}:ctr:42', '\u{1F600}']) {
      expect(keySlot(key)).toBeGreaterThanOrEqual(0);
      expect(keySlot(key)).toBeLessThan(16384);
    }
  });
});
