/**
 * Counts event-loop turns: a callback that re-queues itself with
 * `setImmediate` runs once per turn, so work tagged with the same count ran
 * without the loop turning in between (one task, as a request arriving
 * meanwhile, or `/healthz`, sees it). No clock is read. Call `stop()` when done.
 */
export function loopTurns(): { readonly turn: () => number; stop(): void } {
  let turn = 0;
  let running = true;
  const tick = (): void => {
    turn++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return { turn: () => turn, stop: () => void (running = false) };
}
