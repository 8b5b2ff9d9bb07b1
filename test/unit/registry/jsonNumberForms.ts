/**
 * Number forms for the registry readers' tests (models/registry/jsonNumberReader.ts):
 * JSON's number grammar is `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?` (RFC 8259 §6).
 */

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
