/**
 * DataLoader `batchScheduleFn` for the request-scoped store loaders (and the
 * default schedule of `KeyedBatchLoader`, the `items` and `itemCounters`
 * loaders): a batch is dispatched on the event loop's next check phase (`setImmediate`) instead
 * of DataLoader's default (after the current microtasks, `process.nextTick`).
 *
 * The pipeline yields to the event loop between its phases
 * (`src/pipeline/yieldToEventLoop.ts`), so the 20 `similar` pipelines of one
 * request resume in separate tasks of the same check phase. With the default
 * schedule each would dispatch its own `getItems`; with this one, every load
 * made during that check phase joins one batch, so a request still costs one
 * store read per feature family and phase (pinned by
 * `test/integration/gateway.test.ts`, "cost a pinned number of store calls").
 */
export function dispatchOnNextLoopTurn(dispatch: () => void): void {
  setImmediate(dispatch);
}
