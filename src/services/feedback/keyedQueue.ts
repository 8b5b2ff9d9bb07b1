/**
 * Runs tasks one at a time per key (tasks of different keys run concurrently),
 * in submission order. The feedback service uses it per user so that a
 * read-modify-write of one user's history and vector is never interleaved
 * with another event of the same user in this process. Entries are dropped
 * when a key's queue drains, so memory is bounded by the keys in flight.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key`; resolves or rejects with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
