import murmurhash from 'murmurhash';
import { describe, expect, it } from 'vitest';
import { experimentBucket } from '../../../src/experiments/experimentBucket.js';
import { murmur3x86_32 } from './murmurReference.js';

/**
 * Published MurmurHash3_x86_32 test vectors: Ian Boyd's list (Stack Overflow,
 * "MurmurHash3 test vectors", 2013), reproduced in the test suites of many
 * ports (e.g. Python's mmh3). UTF-8 bytes for non-ASCII strings.
 */
const PUBLISHED: readonly [key: string, seed: number, hash: number][] = [
  ['', 0, 0],
  ['', 1, 0x514e28b7],
  ['', 0xffffffff, 0x81f16f39],
  ['\0\0\0\0', 0, 0x2362f9de],
  ['a', 0x9747b28c, 0x7fa09ea6],
  ['ab', 0x9747b28c, 0x74875592],
  ['abc', 0x9747b28c, 0xc84a62dd],
  ['abcd', 0x9747b28c, 0xf0478627],
  ['abc', 0, 0xb3dd93fa],
  ['Hello, world!', 0x9747b28c, 0x24884cba],
  ['\u03c0'.repeat(8), 0x9747b28c, 0xd58063c1],
  ['€𠳏b✗a', 0, 0xda7915bd],
  ['a'.repeat(256), 0x9747b28c, 0x37405bdc],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', 0, 0xee925b90],
  ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
];

describe('MurmurHash3 x86 32-bit (the murmurhash package)', () => {
  it.each(PUBLISHED)('matches the published vector for %j with seed %i', (key, seed, hash) => {
    expect(murmurhash.v3(key, seed)).toBe(hash);
    expect(murmur3x86_32(key, seed)).toBe(hash);
  });

  it('gives the seed-0 values of the issue: "" → 0, "hello" → 0x248bfa47, the fox → 0x2e4ff723', () => {
    // Seed-0 values cross-checked against the independent transcription of
    // Appleby's C code in murmurReference.ts (which passes every vector above).
    expect(murmurhash.v3('')).toBe(0);
    expect(murmurhash.v3('hello')).toBe(613153351);
    expect(murmurhash.v3('The quick brown fox jumps over the lazy dog')).toBe(776992547);
    for (const key of ['hello', 'The quick brown fox jumps over the lazy dog', 'mmr-lambda:u1']) {
      expect(murmurhash.v3(key)).toBe(murmur3x86_32(key));
    }
  });

  it('agrees with the reference transcription on 10 000 ASCII and non-ASCII keys and two seeds', () => {
    for (let i = 0; i < 10_000; i++) {
      const key = `exp-${i % 7}:user-${i}${'é𝄞'.repeat(i % 4)}`;
      expect(murmurhash.v3(key, i % 2)).toBe(murmur3x86_32(key, i % 2));
    }
  });
});

describe('experimentBucket', () => {
  it('is MurmurHash3("<experiment>:<unit>", seed) mod 10 000', () => {
    // MurmurHash3_x86_32("mmr-lambda:u1", 0) = 2984719170, seed 1 = 983605868.
    expect(murmur3x86_32('mmr-lambda:u1', 0)).toBe(2_984_719_170);
    expect(murmur3x86_32('mmr-lambda:u1', 1)).toBe(983_605_868);
    expect(experimentBucket('mmr-lambda', 'u1')).toBe(9170);
    expect(experimentBucket('mmr-lambda', 'u1', 1)).toBe(5868);
    // Ids stay strings: MovieTweetings' zero-padded 0110912 is not 110912.
    expect(experimentBucket('mmr-lambda', '0110912')).toBe(7322);
  });

  it('is stable across calls and always in 0..9999', () => {
    for (let i = 0; i < 1000; i++) {
      const b = experimentBucket('e', `u${i}`);
      expect(experimentBucket('e', `u${i}`)).toBe(b);
      expect(Number.isInteger(b) && b >= 0 && b <= 9999).toBe(true);
    }
  });
});
