/**
 * Number forms for the registry readers' tests (models/registry/jsonNumberReader.ts):
 * JSON's number grammar is `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?` (RFC 8259 §6).
 */

/** A number JSON does not allow: where in `text` the reader refuses it (bytes from its start) and what it says. */
export interface BadNumber {
  readonly text: string;
  readonly at: number;
  readonly message: string;
}

const leadingZero = (read: string): string =>
  `expected the number to end after "${read}" (JSON allows no leading zeros)`;
const notEnded = (read: string): string => `expected the number to end after "${read}"`;

/** Forms JSON forbids, each with the byte and message of its refusal. */
export const BAD_NUMBERS: readonly BadNumber[] = [
  { text: '+1', at: 0, message: 'expected a number' },
  { text: '+0.5', at: 0, message: 'expected a number' },
  { text: '.5', at: 0, message: 'expected a number' },
  { text: 'e5', at: 0, message: 'expected a number' },
  { text: 'Infinity', at: 0, message: 'expected a number' },
  { text: 'NaN', at: 0, message: 'expected a number' },
  { text: '01', at: 1, message: leadingZero('0') },
  { text: '00', at: 1, message: leadingZero('0') },
  { text: '-01', at: 2, message: leadingZero('-0') },
  { text: '007.5', at: 1, message: leadingZero('0') },
  { text: '1.', at: 2, message: 'expected a digit after "."' },
  { text: '-0.', at: 3, message: 'expected a digit after "."' },
  { text: '1.e5', at: 2, message: 'expected a digit after "."' },
  { text: '1..5', at: 2, message: 'expected a digit after "."' },
  { text: '-', at: 1, message: 'expected a digit after "-"' },
  { text: '--1', at: 1, message: 'expected a digit after "-"' },
  { text: '-.5', at: 1, message: 'expected a digit after "-"' },
  { text: '-+1', at: 1, message: 'expected a digit after "-"' },
  { text: '- 1', at: 1, message: 'expected a digit after "-"' },
  { text: '-Infinity', at: 1, message: 'expected a digit after "-"' },
  { text: '1e', at: 2, message: 'expected a digit after "e"' },
  { text: '1E', at: 2, message: 'expected a digit after "E"' },
  { text: '1e+', at: 3, message: 'expected a digit after "e+"' },
  { text: '2.5E-', at: 5, message: 'expected a digit after "E-"' },
  { text: '1e+-5', at: 3, message: 'expected a digit after "e+"' },
  { text: '1ee5', at: 2, message: 'expected a digit after "e"' },
  { text: '1e.5', at: 2, message: 'expected a digit after "e"' },
  { text: '0x10', at: 1, message: notEnded('0') },
  { text: '1.5.5', at: 3, message: notEnded('1.5') },
  { text: '1e5e5', at: 3, message: notEnded('1e5') },
  { text: '1e5.5', at: 3, message: notEnded('1e5') },
  { text: '1e5+5', at: 3, message: notEnded('1e5') },
  { text: '1-1', at: 1, message: notEnded('1') },
  { text: '12a', at: 2, message: notEnded('12') },
  { text: '1_000', at: 1, message: notEnded('1') },
  { text: `1.${'5'.repeat(40)}.5`, at: 42, message: notEnded(`1.${'5'.repeat(30)}…`) },
];

/**
 * Forms JSON allows, the values to read as `JSON.parse` reads them: signed zeros, exponents of
 * every spelling, more digits than a double holds, both sides of the 15-digit fast path, the
 * smallest and largest doubles, and values that round to them.
 */
export const GOOD_NUMBERS: readonly string[] = [
  '0',
  '-0',
  '0.0',
  '-0.0',
  '0e0',
  '-0E-0',
  '0.000',
  '1E+2',
  '1e+2',
  '1E2',
  '1e-7',
  '-1e-7',
  '2.5E3',
  '123.456e-2',
  '1e22',
  '1e23',
  '123456789012345678901234567890',
  '-123456789012345678901234567890',
  '9007199254740993',
  '900719925474099.3',
  '123456789012345',
  '0.123456789012345',
  '0.1234567890123456',
  '0.30000000000000004',
  '0.0000000000000000000000001',
  '1700000000123',
  '1.7976931348623157e308',
  '-1.7976931348623157e308',
  '2.2250738585072014e-308',
  '4.9e-324',
  '5e-324',
  '2e-324',
  '1e-400',
  `0.${'3'.repeat(400)}`,
];
