import { serverAudits } from 'graphql-http';

/** One audit of the GraphQL-over-HTTP suite and its outcome. */
export interface AuditOutcome {
  readonly id: string;
  /** Starts with the requirement level: `MUST …`, `SHOULD …` or `MAY …`. */
  readonly name: string;
  /** `ok` passed; `warn` a SHOULD failed; `notice` a MAY failed; `error` a MUST failed. */
  readonly status: 'ok' | 'warn' | 'notice' | 'error';
  readonly reason: string | null;
}

/**
 * Runs every audit of `graphql-http`'s `serverAudits` (the GraphQL-over-HTTP
 * spec's server checks) against `url`, one after the other.
 */
export async function runServerAudits(url: string): Promise<AuditOutcome[]> {
  const outcomes: AuditOutcome[] = [];
  for (const audit of serverAudits({ url, fetchFn: fetch })) {
    const result = await audit.fn();
    outcomes.push({
      id: audit.id,
      name: audit.name,
      status: result.status,
      reason: result.status === 'ok' ? null : result.reason,
    });
  }
  return outcomes;
}

/** How many audits ended in each status. */
export function countByStatus(outcomes: readonly AuditOutcome[]): Record<string, number> {
  const counts: Record<string, number> = { ok: 0, warn: 0, notice: 0, error: 0 };
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}
