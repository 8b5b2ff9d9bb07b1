/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Time budget of one call, in ms: a slower call counts as a failure. */
  readonly budgetMs: number;
  /** After a failure, calls skip the dependency for this long, in ms; then one call probes it. */
  readonly retryAfterMs: number;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
  /** Called once when the breaker opens and once when it closes again (logging). */
  readonly onStateChange?: (state: 'open' | 'closed', reason: string) => void;
}

/** Thrown by {@link CircuitBreaker.call} when the dependency failed, timed out or is skipped. */
export class DependencyUnavailableError extends Error {
  constructor(
    /** The dependency's name, e.g. `redis`. */
    readonly dependency: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is unavailable: ${reason}`, options);
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * A time budget plus a circuit breaker for one backend (Nygard, "Release It!",
 * 2nd ed., ch. 5 "Circuit Breaker"): every call races a timer of `budgetMs`;
 * a failure or timeout opens the circuit, so for `retryAfterMs` every call
 * fails at once without touching the backend; the first call after that is
 * the probe (half-open): its success closes the circuit, its failure opens it
 * again. A request therefore waits at most one budget for a dead backend.
 * The timed-out call itself is not cancelled (its result is dropped).
 */
export class CircuitBreaker {
  private openUntil = 0;
  private probing = false;
  private lastReason = '';
  private readonly now: () => number;

  constructor(
    /** Dependency name used in errors and logs. */
    readonly dependency: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    if (!(options.budgetMs > 0)) throw new RangeError(`budgetMs must be > 0 ms, got ${options.budgetMs}`);
    if (!(options.retryAfterMs >= 0)) {
      throw new RangeError(`retryAfterMs must be ≥ 0 ms, got ${options.retryAfterMs}`);
    }
    this.now = options.now ?? Date.now;
  }

  /** True while calls are skipped (the circuit is open and no probe is due). */
  get isOpen(): boolean {
    return this.openUntil > this.now() || this.probing;
  }

  /**
   * Runs `fn` within the budget.
   * @throws DependencyUnavailableError when the circuit is open, `fn` rejects, or the budget runs out.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    const t = this.now();
    if (this.probing || this.openUntil > t) {
      throw new DependencyUnavailableError(
        this.dependency,
        `skipped after an earlier failure (${this.lastReason})`,
      );
    }
    const probe = this.openUntil !== 0;
    if (probe) this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within the ${this.options.budgetMs} ms budget`)),
            this.options.budgetMs,
          );
        }),
      ]);
      if (probe) {
        this.openUntil = 0;
        this.options.onStateChange?.('closed', 'a probe call succeeded');
      }
      return value;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const wasClosed = this.openUntil === 0;
      this.openUntil = this.now() + this.options.retryAfterMs;
      // A zero retry delay still needs a non-zero marker that the circuit was opened.
      if (this.openUntil === 0) this.openUntil = 1;
      this.lastReason = reason;
      if (wasClosed) this.options.onStateChange?.('open', reason);
      throw new DependencyUnavailableError(this.dependency, reason, { cause: err });
    } finally {
      clearTimeout(timer);
      if (probe) this.probing = false;
    }
  }
}
