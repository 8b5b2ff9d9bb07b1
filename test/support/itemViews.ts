import type { Gateway, RequestScope } from '../../src/services/gateway.js';
import type { ItemView } from '../../src/services/serviceTypes.js';

/**
 * `gateway.items` for tests that expect every id answered (found or null):
 * rethrows an UNAVAILABLE entry (the store was down) instead of returning it.
 */
export async function itemViews(
  gateway: Pick<Gateway, 'items'>,
  ids: readonly string[],
  scope: RequestScope,
): Promise<(ItemView | null)[]> {
  const views = await gateway.items(ids, scope);
  const out: (ItemView | null)[] = [];
  for (const v of views) {
    if (v instanceof Error) throw v;
    out.push(v);
  }
  return out;
}
