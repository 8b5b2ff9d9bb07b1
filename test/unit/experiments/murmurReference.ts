/**
 * A direct transcription of Austin Appleby's MurmurHash3_x86_32
 * (smhasher/src/MurmurHash3.cpp) over UTF-8 bytes, written independently of
 * the `murmurhash` package so the tests can cross-check it. Test helper only.
 */
export function murmur3x86_32(key: string, seed = 0): number {
  const data = new TextEncoder().encode(key);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const nblocks = data.length >> 2;
  let h1 = seed >>> 0;
  for (let i = 0; i < nblocks; i++) {
    const o = i * 4;
    let k1 = (data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24)) >>> 0;
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const tail = nblocks * 4;
  let k1 = 0;
  switch (data.length & 3) {
    case 3:
      k1 ^= data[tail + 2]! << 16;
    // falls through
    case 2:
      k1 ^= data[tail + 1]! << 8;
    // falls through
    case 1:
      k1 ^= data[tail]!;
      k1 = Math.imul(k1, c1);
      k1 = (k1 << 15) | (k1 >>> 17);
      k1 = Math.imul(k1, c2);
      h1 ^= k1;
  }
  h1 ^= data.length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}
