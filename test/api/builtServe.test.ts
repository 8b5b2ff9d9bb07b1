import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../../src/build/buildDist.js';
import type { ServeProcess } from '../support/serveProcess.js';
import { DIST_SERVE_ENTRY, startServeProcess } from '../support/serveProcess.js';
import { repoRoot, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * The production form of `recgate serve` (`npm start`, the Docker CMD):
 * `npm run build`, then plain node on `dist/src/cli.js` with the telemetry
 * entry `dist/src/telemetry/register.js`, no tsx. From dist/ it still finds
 * schema/ (the GraphQL API answers), the GraphiQL assets in node_modules and
 * the package root, and it drains on SIGTERM.
 */
const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-built-serve-test-'));
let server: ServeProcess | undefined;

beforeAll(async () => {
  await buildDist();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(varDir, { recursive: true, force: true });
});

describe('CLI from the build: node dist/src/cli.js serve', () => {
  it('serves GraphQL, GraphiQL and its assets, /readyz, and exits 0 on SIGTERM', async () => {
    const registry = await trainedRegistry();
    server = await startServeProcess(
      registry,
      { RECGATE_EVENT_LOG_FILE: path.join(varDir, 'events.jsonl'), RECGATE_ADMIN_TOKEN: '' },
      90_000,
      DIST_SERVE_ENTRY,
    );
    const origin = new URL(server.url).origin;
    const body = /-d '(.+)'/.exec(server.output())?.[1];
    expect(body).toBeDefined();
    const answer = (await (
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    ).json()) as { data?: { recommendations: { items: unknown[] } }; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.recommendations.items).toHaveLength(5);

    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>recgate GraphiQL</title>');
    const asset = await fetch(`${origin}/graphiql/assets/graphiql.min.js`);
    expect(asset.status).toBe(200);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect(await (await fetch(`${origin}/readyz`)).json()).toMatchObject({ status: 'ready' });

    // It runs the build, not the sources: no tsx anywhere in its command line.
    const cmdline = readFileSync(`/proc/${server.child.pid!}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('dist/src/cli.js');
    expect(cmdline.join(' ')).not.toContain('tsx');

    expect(await server.stop()).toBe(0);
    server = undefined;
  });

  it('bin/recgate.js runs dist/ when it is up to date with the sources', () => {
    const run = spawnSync(process.execPath, ['bin/recgate.js', '--help'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe(''); // the tsx fallback would say so here
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: recgate /);
  });
});
