/**
 * Split specs: the `--split` values naming an evaluation protocol
 * (`/work/shared/design/evaluation.md`, "Splits"). Parsing is separate from
 * splitting so the CLI can reject a bad spec before loading any data.
 */

/**
 * A parsed split spec. `ratio` is the **training** share, strictly between 0 and 1.
 * - `temporal`: the last share of interactions by time is the test part (the default protocol).
 * - `random-per-user`: per user, a seeded `ratio` share of that user's interactions trains.
 * - `random`: a seeded global `ratio` share of all interactions trains.
 * - `leave-last-out`: per user, the last interaction by time is the test part.
 * - `none`: no offline evaluation (`--split none`); `splitInteractions` rejects it.
 */
export type SplitSpec =
  | { readonly kind: 'temporal' }
  | { readonly kind: 'random-per-user'; readonly ratio: number }
  | { readonly kind: 'random'; readonly ratio: number }
  | { readonly kind: 'leave-last-out' }
  | { readonly kind: 'none' };

/**
 * Thrown for a split spec that cannot be used. `message` is one line naming what
 * was expected and what was received, e.g.
 * `split "random:1.5": ratio must be between 0 and 1 (exclusive), got 1.5`.
 * A `RangeError`, so callers may catch either.
 */
export class SplitSpecError extends RangeError {
  override readonly name = 'SplitSpecError';
}

const EXPECTED = 'temporal, random-per-user:<ratio>, random:<ratio>, leave-last-out or none';

/**
 * Parses a split spec string (case-sensitive, no surrounding spaces).
 * @param spec one of `temporal`, `random-per-user:<ratio>`, `random:<ratio>`,
 *   `leave-last-out`, `none`; `<ratio>` is a decimal training share in (0, 1), e.g. `0.8`.
 * @returns the parsed {@link SplitSpec}.
 * @throws SplitSpecError for an unknown name, a missing or non-numeric ratio, a ratio
 *   outside (0, 1), or a parameter on a spec that takes none (`temporal:0.2`).
 */
export function parseSplitSpec(spec: string): SplitSpec {
  const colon = spec.indexOf(':');
  const name = colon === -1 ? spec : spec.slice(0, colon);
  const param = colon === -1 ? null : spec.slice(colon + 1);
  switch (name) {
    case 'temporal':
    case 'leave-last-out':
    case 'none':
      if (param !== null) {
        throw new SplitSpecError(`split "${spec}": "${name}" takes no parameter, expected just "${name}"`);
      }
      return { kind: name };
    case 'random-per-user':
    case 'random':
      return { kind: name, ratio: parseRatio(spec, name, param) };
    default:
      throw new SplitSpecError(`unknown split "${spec}": expected one of ${EXPECTED}`);
  }
}

/**
 * The canonical string of a spec; `parseSplitSpec(formatSplitSpec(s))` equals `s`.
 * @example formatSplitSpec({ kind: 'random', ratio: 0.8 }) === 'random:0.8'
 */
export function formatSplitSpec(spec: SplitSpec): string {
  return spec.kind === 'random' || spec.kind === 'random-per-user' ? `${spec.kind}:${spec.ratio}` : spec.kind;
}

function parseRatio(spec: string, name: string, param: string | null): number {
  if (param === null || param.trim() === '') {
    throw new SplitSpecError(
      `split "${spec}": expected "${name}:<ratio>" with a training share between 0 and 1 (exclusive), e.g. "${name}:0.8"`,
    );
  }
  const ratio = Number(param);
  if (!Number.isFinite(ratio)) {
    throw new SplitSpecError(
      `split "${spec}": ratio must be a number between 0 and 1 (exclusive), got "${param}"`,
    );
  }
  if (ratio <= 0 || ratio >= 1) {
    throw new SplitSpecError(`split "${spec}": ratio must be between 0 and 1 (exclusive), got ${ratio}`);
  }
  return ratio;
}
