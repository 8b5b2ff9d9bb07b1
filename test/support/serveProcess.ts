import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { repoRoot } from './trainedRegistry.js';

/** A `recgate serve` child process. */
export interface ServeProcess {
  /** The GraphQL endpoint it printed, e.g. `http://127.0.0.1:41234/graphql`. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once it exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How {@link startServeProcess} runs the CLI by default: the TypeScript sources through tsx (the dev form). */
export const TSX_SERVE_ENTRY: readonly string[] = [
  '--import',
  'tsx',
  '--import',
  './src/telemetry/register.ts',
  'src/cli.ts',
];

/**
 * `npm start`'s form: the build (`npm run build` first) with plain node and
 * the Node and V8 flags of the start commands.
 */
export const DIST_SERVE_ENTRY: readonly string[] = [
  '--enable-source-maps',
  '--max-semi-space-size=16',
  '--no-allocation-site-pretenuring',
  '--import',
  './dist/src/telemetry/register.js',
  'dist/src/cli.js',
];

/**
 * Starts `<entry> serve --port 0 --host 127.0.0.1 --registry <registry>`
 * (default entry: `tsx src/cli.ts`) with `env` added to this process's
 * environment, and resolves once it printed its URL and is serving.
 * @throws Error with the process output when it exits before serving, or after `timeoutMs`.
 */
export function startServeProcess(
  registry: string,
  env: Readonly<Record<string, string>>,
  timeoutMs = 90_000,
  entry: readonly string[] = TSX_SERVE_ENTRY,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [...entry, 'serve', '--port', '0', '--host', '127.0.0.1', '--registry', registry],
    { cwd: repoRoot, env: serveEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise<ServeProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const url = /at (http:\/\/\S+\/graphql)/.exec(out)?.[1];
      if (url === undefined || !out.includes('admin mutations:')) return;
      clearTimeout(timer);
      resolve({
        url,
        child,
        output: () => out,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before serving:\n${out}`));
    });
  });
}

/**
 * This process's environment plus `env`, without vitest's `NODE_ENV=test`
 * (libraries such as Apollo Server behave differently under it), so the child
 * runs as a user runs it. `env` may set NODE_ENV itself.
 */
function serveEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  delete out['NODE_ENV'];
  return { ...out, ...env };
}
