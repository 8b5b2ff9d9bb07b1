import { collectDegradedParts, reportDegraded } from '../stores/fallback/degradedParts.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/**
 * A batch read of the store: values for `keys`, same length and order, `null`
 * for a missing key (the `FeatureStore` batch contract).
 */
export type KeyedBatchRead<V> = (keys: readonly string[]) => Promise<readonly (V | null)[]>;

/**
 * Keys collected for one store read, with their slots in the loader;
 * `done` resolves (never rejects) once the read settled.
 */
class Batch {
  readonly keys: string[] = [];
  readonly slots: number[] = [];
  readonly done: Promise<void>;
  settle!: () => void;
  /** The read's error when it failed (wrong length included); null while pending or after success. */
  error: Error | null = null;
  /** The degraded parts the read reported (when the loader tracks them). */
  parts: readonly string[] = NO_PARTS;
  constructor() {
    this.done = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
  }
}

const NO_PARTS: readonly string[] = Object.freeze([]);

/** Marks a `loadMany` result slot whose key is still loading. */
const LOADING: unique symbol = Symbol('loading');

/**
 * A request-scoped, string-keyed cache over one store batch read: the
 * subset of DataLoader's API the request path uses (`load`, `loadMany`),
 * with one promise per call and per batch instead of one per key, and one
 * map lookup per key and call.
 *
 * Semantics (those of the DataLoader it replaces, with `batchScheduleFn`
 * {@link dispatchOnNextLoopTurn}):
 * - every key asked for and not yet loaded or loading joins the current
 *   batch (first-asked order, each key once); the batch is dispatched as ONE
 *   call of `read` when `schedule` fires (by default the event loop's next
 *   check phase), so every load made before then shares that store read;
 * - a loaded key (value or `null`) is cached for the loader's life, and a
 *   key whose batch is in flight waits for that batch (never read twice);
 * - a read that rejects, throws, or returns a wrong number of values fails
 *   every key of its batch with that error (`loadMany` puts the Error in
 *   place, `load` rejects) and those keys are forgotten, so a later load
 *   reads them again;
 * - an `undefined` value from `read` is cached as `null`; a rejection that
 *   is not an Error is wrapped in one.
 *
 * With `trackDegraded`, the parts a read reports as served from a fallback
 * (`reportDegraded`, src/stores/fallback/degradedParts.ts) are kept with the
 * keys it read and reported again to every caller that gets those keys, in
 * the caller's own `collectDegradedParts` context: a read shared by two
 * fields of one request (say `user` and `recommendations`) marks both.
 *
 * Internally every key gets a slot (`slotOf`) once; its value and the batch
 * it waits for live in arrays indexed by slot, so settling a batch touches no map.
 * Create one per request (caches never cross requests or users).
 */
export class KeyedBatchLoader<V> {
  private readonly slotOf = new Map<string, number>();
  /** Per slot: the value once loaded (null until then, and for a missing key). */
  private readonly values: (V | null)[] = [];
  /** Per slot: the batch the key waits for; undefined once loaded; a failed batch stays. */
  private readonly waiting: (Batch | undefined)[] = [];
  private queued: Batch | null = null;
  /** Per slot: the degraded parts its read reported; null until a read reports one. */
  private partsOf: (readonly string[] | undefined)[] | null = null;

  /**
   * @param name names the loader in errors (`<name>: the store returned 3 values for 4 keys`).
   * @param read the store batch read; called once per dispatched batch.
   * @param schedule runs `dispatch` when the batch should go (default {@link dispatchOnNextLoopTurn}).
   * @param trackDegraded keep and re-report the degraded parts of each read
   *   (see the class docs); off, no AsyncLocalStorage context is entered. @default false
   */
  constructor(
    readonly name: string,
    private readonly read: KeyedBatchRead<V>,
    private readonly schedule: (dispatch: () => void) => void = dispatchOnNextLoopTurn,
    private readonly trackDegraded = false,
  ) {}

  /** The value of `key` (null when the store has none). Rejects with the batch's error when its read failed. */
  load(key: string): Promise<V | null> {
    const slot = this.slot(key);
    const batch = this.waiting[slot];
    if (batch === undefined) {
      this.reportParts(slot);
      return Promise.resolve(this.values[slot]!);
    }
    return batch.done.then(() => {
      if (batch.error !== null) throw batch.error;
      this.reportParts(slot);
      return this.values[slot]!;
    });
  }

  /**
   * The value of `key` when it is already loaded, without waiting and
   * without starting a read: the value, or `null` when the store has none;
   * `undefined` when the key was never asked for, is still loading, or its
   * read failed. Reports the key's degraded parts as {@link load} does.
   */
  peek(key: string): V | null | undefined {
    const slot = this.slotOf.get(key);
    if (slot === undefined || this.waiting[slot] !== undefined) return undefined;
    this.reportParts(slot);
    return this.values[slot]!;
  }

  /**
   * The values of `keys`: same length and order, `null` for a key the store
   * does not have, the batch's Error for a key whose read failed (as
   * DataLoader's `loadMany`). Never rejects. Resolves without a store read
   * when every key is cached. The array is the caller's own.
   */
  loadMany(keys: readonly string[]): Promise<(V | null | Error)[]> {
    const n = keys.length;
    const out = new Array<V | null | Error | typeof LOADING>(n);
    // Slots of the keys still loading (allocated on the first such key).
    let slots: Int32Array | null = null;
    let first: Batch | null = null;
    let more: Batch[] | null = null;
    for (let j = 0; j < n; j++) {
      const slot = this.slot(keys[j]!);
      const batch = this.waiting[slot];
      if (batch === undefined) {
        out[j] = this.values[slot]!;
        continue;
      }
      out[j] = LOADING;
      (slots ??= new Int32Array(n))[j] = slot;
      if (first === null) first = batch;
      else if (batch !== first && (more === null || !more.includes(batch))) (more ??= []).push(batch);
    }
    if (first === null) {
      if (this.partsOf !== null) this.reportPartsOf(keys);
      return Promise.resolve(out as (V | null)[]);
    }
    const ready = more === null ? first.done : Promise.all([first.done, ...more.map((b) => b.done)]);
    const loading = slots!;
    return ready.then(() => {
      for (let j = 0; j < n; j++) {
        if (out[j] !== LOADING) continue;
        const slot = loading[j]!;
        out[j] = this.waiting[slot]?.error ?? this.values[slot]!;
      }
      if (this.partsOf !== null) this.reportPartsOf(keys);
      return out as (V | null | Error)[];
    });
  }

  /**
   * Starts loading `keys` (those not loaded or loading join the queued
   * batch, exactly as a `loadMany` would) without waiting: no promise, no
   * result array. A later `load`/`loadMany` of them shares that read.
   */
  prefetch(keys: readonly string[]): void {
    for (let j = 0; j < keys.length; j++) this.slot(keys[j]!);
  }

  /** The slot of `key`; a new key gets one and joins the queued batch (opened and scheduled if none is). */
  private slot(key: string): number {
    let slot = this.slotOf.get(key);
    if (slot !== undefined) return slot;
    let batch = this.queued;
    if (batch === null) {
      const opened = new Batch();
      this.queued = batch = opened;
      this.schedule(() => this.dispatch(opened));
    }
    slot = this.values.length;
    this.values.push(null);
    this.waiting.push(batch);
    this.slotOf.set(key, slot);
    batch.keys.push(key);
    batch.slots.push(slot);
    return slot;
  }

  /** Reports the degraded parts kept for `slot` (nothing when its read reported none). */
  private reportParts(slot: number): void {
    const parts = this.partsOf?.[slot];
    if (parts !== undefined) for (const part of parts) reportDegraded(part);
  }

  /** {@link reportParts} for every loaded key of `keys`. */
  private reportPartsOf(keys: readonly string[]): void {
    for (const key of keys) {
      const slot = this.slotOf.get(key);
      if (slot !== undefined) this.reportParts(slot);
    }
  }

  private dispatch(batch: Batch): void {
    if (this.queued === batch) this.queued = null;
    let pending: Promise<readonly (V | null)[]>;
    try {
      pending = this.trackDegraded
        ? collectDegradedParts(() => this.read(batch.keys)).then(({ value, parts }) => {
            if (parts.length > 0) batch.parts = parts;
            return value;
          })
        : this.read(batch.keys);
    } catch (err) {
      pending = Promise.reject(err as Error);
    }
    pending.then(
      (values) => {
        const slots = batch.slots;
        if (values.length !== slots.length) {
          this.fail(
            batch,
            new Error(`${this.name}: the store returned ${values.length} values for ${slots.length} keys`),
          );
          return;
        }
        for (let i = 0; i < slots.length; i++) {
          this.values[slots[i]!] = values[i] ?? null;
          this.waiting[slots[i]!] = undefined;
        }
        if (batch.parts.length > 0) {
          const partsOf = (this.partsOf ??= []);
          for (let i = 0; i < slots.length; i++) partsOf[slots[i]!] = batch.parts;
        }
        batch.settle();
      },
      (err: unknown) => this.fail(batch, err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Fails `batch`: its keys are forgotten (a later load gets a new slot and reads again). */
  private fail(batch: Batch, error: Error): void {
    batch.error = error;
    for (const key of batch.keys) this.slotOf.delete(key);
    batch.settle();
  }
}
