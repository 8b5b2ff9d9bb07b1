import type { VectorHit, VectorIndex } from '../vectorIndex.js';
import type { CircuitBreaker } from './circuitBreaker.js';
import { reportDegraded } from './degradedParts.js';

/** Options of {@link FallbackVectorIndex}. */
export interface FallbackVectorIndexOptions {
  /** The remote index (Qdrant): searched first. */
  readonly primary: VectorIndex;
  /** The embedded index built from the registry's item vectors at start-up. */
  readonly fallback: VectorIndex;
  /** Time budget and circuit of the primary's calls. */
  readonly breaker: CircuitBreaker;
}

/**
 * A {@link VectorIndex} that searches the remote index within the breaker's
 * budget and, when it is slow or down, answers from the embedded index
 * (same vectors, exact search) and reports `vectorIndex` in the request's
 * `degraded` list. Upserts go to both; a failing primary upsert rejects.
 * @throws RangeError at construction when the two indexes' dimensions differ.
 */
export class FallbackVectorIndex implements VectorIndex {
  readonly name: string;
  readonly dimension: number;

  constructor(private readonly options: FallbackVectorIndexOptions) {
    if (options.primary.dimension !== options.fallback.dimension) {
      throw new RangeError(
        `vector index dimensions differ: ${options.primary.name} has ${options.primary.dimension}, ${options.fallback.name} has ${options.fallback.dimension}`,
      );
    }
    this.name = `${options.primary.name} (fallback: ${options.fallback.name})`;
    this.dimension = options.fallback.dimension;
  }

  private async read<T>(fn: (index: VectorIndex) => Promise<T>): Promise<T> {
    try {
      return await this.options.breaker.call(() => fn(this.options.primary));
    } catch {
      reportDegraded('vectorIndex');
      return fn(this.options.fallback);
    }
  }

  search(
    query: Float32Array,
    k: number,
    options?: Parameters<VectorIndex['search']>[2],
  ): Promise<VectorHit[]> {
    return this.read((index) => index.search(query, k, options));
  }

  vectorOf(itemId: string): Promise<Float32Array | null> {
    return this.read((index) => index.vectorOf(itemId));
  }

  async upsert(entries: Parameters<VectorIndex['upsert']>[0]): Promise<void> {
    await this.options.fallback.upsert(entries);
    await this.options.breaker.call(() => this.options.primary.upsert(entries));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.options.primary.close(), this.options.fallback.close()]);
  }
}
