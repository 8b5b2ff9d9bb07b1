/** Default of {@link SeedWatchOptions.checkEveryMs}, ms. */
export const DEFAULT_SEED_CHECK_MS = 1000;

/** The connection events a {@link SeedWatch} listens to (an ioredis `Redis` or `Cluster`). */
export interface SeedWatchClient {
  on(event: 'close' | 'ready', listener: () => void): unknown;
  off(event: 'close' | 'ready', listener: () => void): unknown;
}

/** Options of {@link SeedWatch}. */
export interface SeedWatchOptions {
  /** The store's connection: `close` makes the seed unverified, `ready` (a reconnect) checks it at once. */
  readonly client: SeedWatchClient;
  /** Reads the store's seed mark (`RedisFeatureStore.seededVersion`); null = the training state is missing. */
  readonly seededVersion: () => Promise<string | null>;
  /**
   * Seeds the store again from the served model and sets the mark
   * (`Backends.repairSeed`: single-flight, logged). Must never reject.
   */
  readonly reseed: () => Promise<void>;
  /** The seed mark is read again at most this often on the request path, in ms. @default 1000 */
  readonly checkEveryMs?: number;
  /**
   * The longest a read waits for a due check, in ms; past it the read goes
   * on with the state as last known (a slow Redis is the circuit breaker's
   * business, and the check still completes in the background).
   * @default 150 (RECGATE_BACKEND_BUDGET_MS's default)
   */
  readonly budgetMs?: number;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
}

/**
 * Whether a shared Redis feature store still holds the served model's
 * training state (its seed mark, `P{meta}:seeded`), so that a Redis that
 * restarted empty, or was flushed, is neither served from as if nothing
 * happened nor left unseeded until the next model poll (which
 * `RECGATE_MODEL_POLL_MS=0` turns off).
 *
 * - The state is *trusted* after a check found the mark; a lost connection
 *   (`close`) makes it untrusted at once, and a reconnect (`ready`) checks
 *   the mark at once. Otherwise {@link trusted} reads the mark again when the
 *   last check is more than `checkEveryMs` old: one `GET` per interval per
 *   replica, awaited (at most `budgetMs`) by the request that found it due.
 * - A missing mark starts `reseed` (in the background) and leaves the state
 *   untrusted until a check after it finds the mark.
 * - A check that fails (Redis down) leaves the state as it was; while
 *   untrusted, checks are retried at most every `checkEveryMs`.
 *
 * `FallbackFeatureStore` asks {@link trusted} before each read and answers
 * from its in-process snapshot, named in `degraded`, while it is false.
 * A flush without a reconnect is noticed within `checkEveryMs`.
 */
export class SeedWatch {
  private state: 'trusted' | 'untrusted' = 'trusted';
  private lastCheck: number;
  private checking: Promise<boolean> | null = null;
  private readonly checkEveryMs: number;
  private readonly budgetMs: number;
  private readonly now: () => number;
  private readonly onClose = (): void => {
    this.state = 'untrusted';
    this.lastCheck = -Infinity;
  };
  private readonly onReady = (): void => void this.check();

  /** Starts trusted (the caller has just seeded or found the mark) and listens to `client`. */
  constructor(private readonly options: SeedWatchOptions) {
    this.checkEveryMs = options.checkEveryMs ?? DEFAULT_SEED_CHECK_MS;
    this.budgetMs = options.budgetMs ?? 150;
    this.now = options.now ?? Date.now;
    this.lastCheck = this.now();
    options.client.on('close', this.onClose);
    options.client.on('ready', this.onReady);
  }

  /**
   * The state as last checked, without reading the mark: false from a lost
   * connection until a check after the reconnect found the mark, and while a
   * missing mark is being restored. The feedback retry writes only while it
   * is true, so it never writes into a Redis that came back empty before the
   * re-seed holds updates.
   */
  get trustedNow(): boolean {
    return this.state === 'trusted';
  }

  /**
   * True when the store may be read as the served state: synchronously while
   * the last check is recent; otherwise after one check (never rejects).
   */
  trusted(): boolean | Promise<boolean> {
    if (this.checking !== null) return this.state === 'trusted' ? true : this.withinBudget(this.checking);
    if (this.now() - this.lastCheck < this.checkEveryMs) return this.state === 'trusted';
    return this.withinBudget(this.check());
  }

  /** `check`'s answer, or the state as last known when it takes longer than `budgetMs`. */
  private async withinBudget(check: Promise<boolean>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        check,
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(this.state === 'trusted'), this.budgetMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads the seed mark now (single-flight); starts `reseed` when it is
   * missing (then checks once more when it ends; a failed re-seed is tried
   * again by the next check due, at most every `checkEveryMs`). Never rejects.
   * @param reseedIfMissing false for the check that follows a re-seed. @default true
   * @returns whether the store is trusted after the check.
   */
  check(reseedIfMissing = true): Promise<boolean> {
    this.checking ??= (async () => {
      try {
        const mark = await this.options.seededVersion();
        this.lastCheck = this.now();
        if (mark !== null) {
          this.state = 'trusted';
        } else {
          this.state = 'untrusted';
          if (reseedIfMissing) void this.options.reseed().then(() => this.check(false));
        }
      } catch {
        this.lastCheck = this.now(); // unreachable: the circuit breaker handles reads meanwhile
      } finally {
        this.checking = null;
      }
      return this.state === 'trusted';
    })();
    return this.checking;
  }

  /** Stops listening to the connection. */
  close(): void {
    this.options.client.off('close', this.onClose);
    this.options.client.off('ready', this.onReady);
  }
}
