/** Number of hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16_384;

/** CRC16-CCITT (XModem: polynomial 0x1021, initial value 0), the table Redis Cluster uses. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[n] = crc & 0xffff;
  }
  return table;
})();

/**
 * The Redis Cluster hash slot of a key, as the server's `CLUSTER KEYSLOT`
 * computes it (Redis Cluster specification, "Keys distribution model"):
 * CRC16 (XModem) of the key's UTF-8 bytes modulo 16384, where only the hash
 * tag is hashed when the key contains `{…}` with at least one byte between the
 * first `{` and the first `}` after it.
 * @returns 0..16383.
 */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b); // '{'
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % CLUSTER_SLOTS;
}
