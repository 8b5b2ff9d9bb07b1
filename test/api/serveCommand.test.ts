import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * `recgate serve` as a user runs it (issue #3 §1): a child process on port 0
 * over the shared trained registry prints the URL and an example curl
 * command that works as printed, and exits cleanly on SIGTERM.
 */
const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-serve-test-'));
afterAll(() => rmSync(varDir, { recursive: true, force: true }));

describe('CLI: recgate serve', () => {
  it('prints the URL and a curl example that works, and stops on SIGTERM', async () => {
    const registry = await trainedRegistry();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--registry',
        registry,
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          RECGATE_EVENT_LOG_FILE: path.join(varDir, 'events.jsonl'),
          RECGATE_ADMIN_TOKEN: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('admin mutations:')) resolve();
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const url = /at (http:\/\/\S+\/graphql)/.exec(stdout)?.[1];
    expect(url).toBeDefined();
    expect(stdout).toContain('admin mutations: disabled (set RECGATE_ADMIN_TOKEN to enable them)');
    // Run the printed curl command's JSON body exactly as printed.
    const body = /-d '(.+)'/.exec(stdout)?.[1];
    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body!,
    });
    const json = (await response.json()) as {
      data?: { recommendations?: { items: unknown[] } };
      errors?: unknown;
    };
    expect(json.errors).toBeUndefined();
    expect(json.data?.recommendations?.items).toHaveLength(5);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Wording since 7699615 (graceful shutdown): "SIGTERM: draining requests (at most N ms), …".
    expect(stderr).toContain('SIGTERM: draining requests');
    expect(stderr).toContain('SIGTERM: closed cleanly');
  });

  it('refuses a bad setting before training a first model (newcomer report)', async () => {
    const emptyRegistry = path.join(varDir, 'empty-registry');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--registry', emptyRegistry],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          RECGATE_IVF_PROBES: '0',
          RECGATE_EVENT_LOG_FILE: path.join(varDir, 'e2.jsonl'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('RECGATE_IVF_PROBES: expected an integer in 1..65536, received "0"');
    expect(stderr).not.toContain('    at '); // one line, no stack trace
    expect(existsSync(emptyRegistry)).toBe(false); // nothing was trained
  });

  // Regression: these two were only read after the first training, and not in the `VAR: expected …` form.
  it.each([
    {
      name: 'REDIS_CLUSTER_NODES',
      env: { RECGATE_FEATURE_STORE: 'redis', REDIS_CLUSTER_NODES: 'redis-a:7000,redis-b' },
      message:
        'REDIS_CLUSTER_NODES: expected host:port[,host:port…] with ports in 1..65535, received "redis-a:7000,redis-b"',
    },
    {
      name: 'RECGATE_EXPERIMENTS',
      env: { RECGATE_EXPERIMENTS: 'config/no-such-experiments.yaml' },
      message: 'RECGATE_EXPERIMENTS="config/no-such-experiments.yaml": no such file',
    },
  ])('refuses a bad $name before training a first model, in one line', async ({ name, env, message }) => {
    const emptyRegistry = path.join(varDir, `empty-registry-${name}`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--registry', emptyRegistry],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env, RECGATE_EVENT_LOG_FILE: path.join(varDir, `e-${name}.jsonl`) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`recgate: error: ${message}`);
    expect(existsSync(emptyRegistry)).toBe(false); // nothing was trained
  });

  it('refuses a port in use before training a first model, naming PORT (newcomer report)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const emptyRegistry = path.join(varDir, 'empty-registry-port');
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli.ts',
          'serve',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--registry',
          emptyRegistry,
        ],
        {
          cwd: repoRoot,
          env: { ...process.env, RECGATE_EVENT_LOG_FILE: path.join(varDir, 'e3.jsonl') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} on 127.0.0.1 is in use (set PORT or --port to use another)`);
      expect(stderr).not.toContain('    at ');
      expect(existsSync(emptyRegistry)).toBe(false); // nothing was trained
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
