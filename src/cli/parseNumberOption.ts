import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for a finite number within [min, max]; with
 * `integer` it must also be a whole number. The error names what was
 * expected and what was received.
 */
export function parseNumberOption(min: number, max: number, integer = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(n) ||
      n < min ||
      n > max ||
      (integer && !Number.isInteger(n))
    ) {
      throw new InvalidArgumentError(
        `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, received ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}
