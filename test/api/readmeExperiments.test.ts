import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlHttp.js';
import { startRealServer } from '../support/realServer.js';
import type { RealServer } from '../support/realServer.js';

/**
 * The README's experiment example, as a newcomer runs it: the server started
 * with `RECGATE_EXPERIMENTS=config/experiments.example.yaml` and the
 * `query Variants` block sent as written (newcomer report, session 22: the
 * README had no experiment example).
 */
let real: RealServer;

beforeAll(async () => {
  const experimentsFile = fileURLToPath(new URL('../../config/experiments.example.yaml', import.meta.url));
  real = await startRealServer({ gateway: { experimentsFile } });
}, 180_000);
afterAll(() => real?.close());

describe("README's experiment example", () => {
  it('names the example file and answers the Variants query with one deterministic assignment per experiment', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('RECGATE_EXPERIMENTS=config/experiments.example.yaml');
    const query = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((q) => q.includes('query Variants'));
    expect(query).toBeDefined();
    const first = await postGraphQL(real.server.url, query!);
    expect(first.body.errors).toBeUndefined();
    const assignments = first.body.data!['experimentAssignments'] as {
      experiment: string;
      variant: string;
      bucket: number;
    }[];
    expect(assignments.length).toBeGreaterThan(0);
    for (const a of assignments) {
      expect(a.bucket).toBeGreaterThanOrEqual(0);
      expect(a.bucket).toBeLessThan(10_000);
      expect(a.variant).not.toBe('');
    }
    const again = await postGraphQL(real.server.url, query!);
    expect(again.body.data!['experimentAssignments']).toEqual(assignments);
  });
});
