import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../../../src/build/buildDist.js';
import { repoRoot } from '../../support/trainedRegistry.js';

/**
 * Issue #5 §1, "Setup" and "Traces": the `--import ./src/telemetry/register.ts`
 * entry, in a child process started the way the CLI starts (through tsx, and
 * from the build as `npm start` runs it),
 * patches the ESM-imported `node:http`, express, ioredis (CommonJS, imported
 * from ESM) and fetch (undici); with the GraphQL middleware and plugin, one
 * request is one trace down to the Redis command; spans reach an OTLP
 * collector named by the standard variables; and with no collector
 * configured, or one that is not running, nothing is printed. Uses the real
 * Redis at 127.0.0.1:6379 and a tiny OTLP/HTTP JSON receiver on a free port.
 */

const FIXTURE = 'test/unit/telemetry/fixtures/instrumentedApp.ts';
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string; readonly intValue?: string | number };
}
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: readonly OtlpAttribute[];
  readonly scope: string;
  readonly service: string | undefined;
}
interface ChildRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** OTLP span kinds (the protobuf enum, as OTLP/JSON sends it). */
const SERVER = 2;
const CLIENT = 3;

let receiver: Server;
let endpoint: string;
const received: OtlpSpan[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') received.push(...flatten(JSON.parse(body)));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

/** The spans of an OTLP/JSON export request, each with its scope and service name. */
function flatten(request: {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string }; spans: Omit<OtlpSpan, 'scope' | 'service'>[] }[];
  }[];
}): OtlpSpan[] {
  return request.resourceSpans.flatMap((rs) => {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, scope: ss.scope.name, service })));
  });
}

function attr(span: OtlpSpan, key: string): string | number | undefined {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
}

/** Runs `fixture` (default the TypeScript {@link FIXTURE}) with `args` before it and `otel` as the only OTEL_* variables. */
function runFixture(
  args: readonly string[],
  otel: Readonly<Record<string, string>>,
  fixture: string = FIXTURE,
): Promise<ChildRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, fixture], {
      cwd: repoRoot,
      env: { ...env, ...otel },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('Telemetry: instrumentation through the --import entry (child process)', () => {
  it('exports one trace over OTLP: fetch → HTTP server → GraphQL operation → stage → ioredis (dev form: tsx --import)', async () => {
    const run = await runFixture([tsxCli, '--import', './src/telemetry/register.ts'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'recgate-telemetry-test',
    });
    expectOneTrace(run);
  });

  it('exports the same trace from the build (npm start form: node --import ./dist/src/telemetry/register.js)', async () => {
    // A private build (var/ has no package.json, so PACKAGE_ROOT is still the repository) with
    // the fixture compiled beside it, so that the app and the entry share the compiled modules.
    const out = path.join('var', `test-dist-telemetry-${process.pid}`);
    try {
      await buildDist({ outDir: out });
      await build({
        absWorkingDir: repoRoot,
        entryPoints: [FIXTURE],
        outdir: out,
        outbase: '.',
        format: 'esm',
        platform: 'node',
        target: 'node20',
        logLevel: 'silent',
      });
      received.length = 0;
      const run = await runFixture(
        ['--import', `./${out}/src/telemetry/register.js`],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_SERVICE_NAME: 'recgate-telemetry-test',
        },
        `${out}/${FIXTURE.replace(/\.ts$/, '.js')}`,
      );
      expectOneTrace(run);
    } finally {
      rmSync(path.join(repoRoot, out), { recursive: true, force: true });
    }
  });

  /** The assertions of one traced request: fetch → HTTP server → operation → stage → ioredis, and the log line. */
  function expectOneTrace(run: ChildRun): void {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const named = (name: string, scope: string): OtlpSpan => {
      const span = received.find((s) => s.name === name && s.scope === scope);
      expect(span, `${name} (${scope}) in ${JSON.stringify(received.map((s) => s.name))}`).toBeDefined();
      return span!;
    };

    const client = named('POST', '@opentelemetry/instrumentation-undici');
    const server = named('POST /graphql', '@opentelemetry/instrumentation-http');
    const operation = named('query Probe', 'recgate');
    const stage = named('source probe', 'recgate');
    const redis = named('get', '@opentelemetry/instrumentation-ioredis');
    expect([client.kind, server.kind, redis.kind]).toEqual([CLIENT, SERVER, CLIENT]);
    // One trace, each span the child of the one before: the fetch's traceparent continued by the server.
    for (const s of [server, operation, stage, redis]) expect(s.traceId).toBe(client.traceId);
    expect(server.parentSpanId).toBe(client.spanId);
    expect(operation.parentSpanId).toBe(server.spanId);
    expect(stage.parentSpanId).toBe(operation.spanId);
    expect(redis.parentSpanId).toBe(stage.spanId);

    expect(server.service).toBe('recgate-telemetry-test');
    expect(attr(server, 'http.route')).toBe('/graphql');
    expect(attr(server, 'recgate.request_id')).toBe('probe-request-1');
    expect(attr(operation, 'graphql.operation.name')).toBe('Probe');
    expect(attr(operation, 'recgate.request_id')).toBe('probe-request-1');
    // Only commands inside a traced request are spans (requireParentSpan): the connect-time PING is not.
    expect(
      received.filter((s) => s.scope === '@opentelemetry/instrumentation-ioredis').map((s) => s.name),
    ).toEqual(['get']);

    // The log line written in the resolver carries the same trace, the stage's span id, and the request id.
    const [logLine, result] = lines(run.stdout);
    expect(logLine).toMatchObject({
      message: 'probe resolved',
      requestId: 'probe-request-1',
      trace_id: client.traceId,
      span_id: stage.spanId,
      trace_flags: '01',
    });
    expect(result).toEqual({ traceIdInResolver: client.traceId });
  }

  it('off by default: no OTEL_* variables, nothing exported and nothing printed, but logs still carry a trace id (node --import tsx form)', async () => {
    const before = received.length;
    const run = await runFixture(['--import', 'tsx', '--import', './src/telemetry/register.ts'], {});
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(received.length).toBe(before);
    const [logLine, result] = lines(run.stdout);
    expect(logLine).toMatchObject({ requestId: 'probe-request-1', trace_flags: '00' });
    expect(logLine!['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(result).toEqual({ traceIdInResolver: logLine!['trace_id'] });
  });

  it('an OTLP endpoint where no collector runs: the request still succeeds and nothing is printed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runFixture(['--import', 'tsx', '--import', './src/telemetry/register.ts'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      // The exporter retries a refused connection until this timeout (default 10 s) before the
      // process can exit naturally; shortened so the test is quick. The outcome is the same.
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(lines(run.stdout)[0]).toMatchObject({ message: 'probe resolved', trace_flags: '01' });
  });

  it('OTEL_SDK_DISABLED=true: no SDK, no hook; the app runs and its logs carry no trace id', async () => {
    const run = await runFixture(['--import', 'tsx', '--import', './src/telemetry/register.ts'], {
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [logLine, result] = lines(run.stdout);
    expect(logLine).toMatchObject({ message: 'probe resolved', requestId: 'probe-request-1' });
    expect(logLine).not.toHaveProperty('trace_id');
    expect(result).toEqual({ traceIdInResolver: null });
  });
});
