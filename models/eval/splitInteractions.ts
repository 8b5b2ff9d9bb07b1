import type { Interaction } from '../../src/domain/interaction.js';
import { createRandom } from '../../src/domain/random.js';
import type { SplitSpec } from './splitSpec.js';
import { formatSplitSpec, SplitSpecError } from './splitSpec.js';

/** An inclusive time range in Unix **milliseconds**: the first and last timestamp of a part. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/**
 * Options of {@link splitInteractions}.
 * - `seed`: integer seed for `createRandom`; used by `random` and `random-per-user`
 *   (`temporal` and `leave-last-out` involve no randomness and ignore it).
 * - `testShare`: nominal test share of the `temporal` split, in (0, 1). @default 0.1
 */
export interface SplitOptions {
  readonly seed: number;
  readonly testShare?: number;
}

/**
 * A train/test split of interactions.
 * - `spec`: canonical spec string, e.g. `temporal` or `random:0.8`.
 * - `train`, `test`: a partition of the input; both keep the **input order**.
 * - `coldStartUsers`: users with at least one test interaction and no training interaction.
 * - `trainRange`, `testRange`: first/last timestamp of each part (Unix ms), `null` when the part is empty.
 */
export interface Split {
  readonly spec: string;
  readonly train: Interaction[];
  readonly test: Interaction[];
  readonly coldStartUsers: Set<string>;
  readonly trainRange: TimeRange | null;
  readonly testRange: TimeRange | null;
}

/** Default nominal test share of the `temporal` split (evaluation.md: "the last 10%"). */
export const DEFAULT_TEMPORAL_TEST_SHARE = 0.1;

/**
 * Splits interactions into train and test under one protocol of evaluation.md. Deterministic:
 * the same input (same order), spec and seed give the same split. O(n log n) for `temporal`
 * (a numeric sort of timestamps), O(n) otherwise; n = 100k takes a few tens of ms.
 *
 * Rules, n = number of interactions:
 * - `temporal`: let m = round(n · testShare) clamped to [1, n − 1] (n ≥ 2). The cut time t* is the
 *   timestamp of the (n − m + 1)-th interaction in time order (≈ the 90th percentile for 10%).
 *   Test = every interaction with timestamp ≥ t*, train = every one strictly before. Ties at t*
 *   all go to test, so every train timestamp is < every test timestamp and the test share is at
 *   least m / n; if all timestamps tie at t*, train is empty. n ≤ 1: everything trains.
 * - `random:r`: a seeded shuffle of all interactions; exactly round(n · r) of them train.
 * - `random-per-user:r` (stratified per user): for a user with c interactions, round(c · r)
 *   (half up) clamped to [1, c − 1] train, the others test, chosen by a seeded per-user
 *   shuffle; so every user with c ≥ 2 is on both sides. A user with c = 1 keeps it in train.
 *   Users are visited in first-appearance order, so the result depends on the input order.
 * - `leave-last-out`: per user, the interaction with the largest timestamp is the test (on a
 *   tie, the one later in the input); users with a single interaction keep it in train, so
 *   there are no cold-start users.
 *
 * @param interactions any order; timestamps in Unix ms. Not modified.
 * @param spec a parsed spec other than `none`.
 * @throws SplitSpecError for `{ kind: 'none' }` (there is nothing to split).
 * @throws RangeError for a non-integer `seed` or a `testShare` outside (0, 1).
 */
export function splitInteractions(
  interactions: readonly Interaction[],
  spec: SplitSpec,
  options: SplitOptions,
): Split {
  if (!Number.isInteger(options.seed)) {
    throw new RangeError(`split seed must be an integer, got ${options.seed}`);
  }
  const isTest = testMask(interactions, spec, options);
  const train: Interaction[] = [];
  const test: Interaction[] = [];
  const trainUsers = new Set<string>();
  const testUsers = new Set<string>();
  for (let i = 0; i < interactions.length; i++) {
    const interaction = interactions[i] as Interaction;
    if (isTest[i] === 1) {
      test.push(interaction);
      testUsers.add(interaction.userId);
    } else {
      train.push(interaction);
      trainUsers.add(interaction.userId);
    }
  }
  const coldStartUsers = new Set<string>();
  for (const user of testUsers) if (!trainUsers.has(user)) coldStartUsers.add(user);
  return {
    spec: formatSplitSpec(spec),
    train,
    test,
    coldStartUsers,
    trainRange: timeRange(train),
    testRange: timeRange(test),
  };
}

/** 1 at the index of every test interaction, 0 for train. */
function testMask(interactions: readonly Interaction[], spec: SplitSpec, options: SplitOptions): Uint8Array {
  switch (spec.kind) {
    case 'temporal':
      return temporalMask(interactions, options.testShare ?? DEFAULT_TEMPORAL_TEST_SHARE);
    case 'random':
      return randomMask(interactions, spec.ratio, options.seed);
    case 'random-per-user':
      return randomPerUserMask(interactions, spec.ratio, options.seed);
    case 'leave-last-out':
      return leaveLastOutMask(interactions);
    case 'none':
      throw new SplitSpecError(
        'split "none": there is nothing to split; skip evaluation instead of calling splitInteractions',
      );
  }
}

function temporalMask(interactions: readonly Interaction[], testShare: number): Uint8Array {
  if (!(testShare > 0 && testShare < 1)) {
    throw new RangeError(`temporal testShare must be between 0 and 1 (exclusive), got ${testShare}`);
  }
  const n = interactions.length;
  const mask = new Uint8Array(n);
  if (n < 2) return mask;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = (interactions[i] as Interaction).timestamp;
  sorted.sort();
  const m = Math.min(n - 1, Math.max(1, Math.round(n * testShare)));
  const cut = sorted[n - m] as number;
  for (let i = 0; i < n; i++) if ((interactions[i] as Interaction).timestamp >= cut) mask[i] = 1;
  return mask;
}

function randomMask(interactions: readonly Interaction[], ratio: number, seed: number): Uint8Array {
  const n = interactions.length;
  const mask = new Uint8Array(n);
  const order: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  createRandom(seed).shuffle(order);
  for (let j = Math.round(n * ratio); j < n; j++) mask[order[j] as number] = 1;
  return mask;
}

function randomPerUserMask(interactions: readonly Interaction[], ratio: number, seed: number): Uint8Array {
  const mask = new Uint8Array(interactions.length);
  const byUser = new Map<string, number[]>();
  for (let i = 0; i < interactions.length; i++) {
    const user = (interactions[i] as Interaction).userId;
    const indices = byUser.get(user);
    if (indices === undefined) byUser.set(user, [i]);
    else indices.push(i);
  }
  const random = createRandom(seed);
  for (const indices of byUser.values()) {
    const count = indices.length;
    if (count < 2) continue;
    const trainCount = Math.min(count - 1, Math.max(1, Math.round(count * ratio)));
    random.shuffle(indices);
    for (let j = trainCount; j < count; j++) mask[indices[j] as number] = 1;
  }
  return mask;
}

function leaveLastOutMask(interactions: readonly Interaction[]): Uint8Array {
  const mask = new Uint8Array(interactions.length);
  const last = new Map<string, number>();
  const counts = new Map<string, number>();
  for (let i = 0; i < interactions.length; i++) {
    const { userId, timestamp } = interactions[i] as Interaction;
    const previous = last.get(userId);
    if (previous === undefined || timestamp >= (interactions[previous] as Interaction).timestamp) {
      last.set(userId, i);
    }
    counts.set(userId, (counts.get(userId) ?? 0) + 1);
  }
  for (const [userId, index] of last) if ((counts.get(userId) ?? 0) >= 2) mask[index] = 1;
  return mask;
}

function timeRange(part: readonly Interaction[]): TimeRange | null {
  if (part.length === 0) return null;
  let from = Infinity;
  let to = -Infinity;
  for (const { timestamp } of part) {
    if (timestamp < from) from = timestamp;
    if (timestamp > to) to = timestamp;
  }
  return { from, to };
}
