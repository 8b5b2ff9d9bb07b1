import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Telemetry } from '../../../src/telemetry/telemetry.js';
import { noopTelemetry } from '../../../src/telemetry/telemetry.js';
import { telemetryApolloPlugin } from '../../../src/telemetry/telemetryApolloPlugin.js';
import { telemetryGraphqlMiddleware } from '../../../src/telemetry/telemetryGraphqlMiddleware.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GRAPHQL_DOCUMENT,
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_GRAPHQL_OPERATION_TYPE,
  ATTR_REQUEST_ID,
} from '../../../src/telemetry/telemetryNames.js';

/**
 * Issue #5 §1, "Traces": a span per GraphQL operation named per the
 * OpenTelemetry GraphQL semantic conventions, a child of the HTTP server span
 * (simulated here by a root span around the request), with the request id;
 * with the middleware, the resolvers' spans nest under it. Operation metrics
 * go to the Telemetry facade.
 */

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const operations: Parameters<Telemetry['recordOperation']>[] = [];
const telemetry: Telemetry = { ...noopTelemetry, recordOperation: (...args) => void operations.push(args) };

interface Ctx {
  readonly requestId: string;
}

const apollo = new ApolloServer<Ctx>({
  typeDefs: 'type Query { hello(name: String!): String! boom: String }',
  resolvers: {
    Query: {
      hello: (_: unknown, { name }: { name: string }) =>
        trace.getTracer('test').startActiveSpan('resolver work', (span) => {
          span.end();
          return `hello ${name}`;
        }),
      boom: () => {
        throw new TypeError('engine exploded');
      },
    },
  },
  plugins: [telemetryApolloPlugin<Ctx>({ telemetry, includeDocument: true })],
});
let server: Server;
let url: string;

beforeAll(async () => {
  provider.register();
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    // Stands in for the http instrumentation's server span.
    (_req, res, next) =>
      trace.getTracer('test').startActiveSpan('POST /graphql', { kind: SpanKind.SERVER }, (span) => {
        res.once('close', () => span.end());
        next();
      }),
    express.json(),
    telemetryGraphqlMiddleware(),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({ requestId: String(req.headers['x-request-id']) }),
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await apollo.stop();
  await provider.shutdown();
  trace.disable();
});

beforeEach(() => {
  exporter.reset();
  operations.length = 0;
});

async function post(query: string, requestId: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ query }),
  });
  await res.text();
  return res.status;
}

/** The finished spans once `name` has ended (spans end when the response closes, just after the client has it). */
async function spansOnceEnded(name: string): Promise<ReadableSpan[]> {
  while (!exporter.getFinishedSpans().some((s) => s.name === name)) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return exporter.getFinishedSpans();
}

describe('Telemetry: the GraphQL operation span (plugin + middleware)', () => {
  it('names the span `query Greeting`, a child of the HTTP span and the parent of resolver spans, with semconv attributes and the request id', async () => {
    const document = 'query Greeting { hello(name: "Ada") }';
    expect(await post(document, 'gql-request-1')).toBe(200);
    const spans = await spansOnceEnded('POST /graphql');
    const http = spans.find((s) => s.name === 'POST /graphql')!;
    const op = spans.find((s) => s.name === 'query Greeting')!;
    const work = spans.find((s) => s.name === 'resolver work')!;
    expect(op.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(work.parentSpanContext?.spanId).toBe(op.spanContext().spanId);
    expect(op.kind).toBe(SpanKind.INTERNAL);
    expect(op.attributes).toEqual({
      [ATTR_GRAPHQL_OPERATION_NAME]: 'Greeting',
      [ATTR_GRAPHQL_OPERATION_TYPE]: 'query',
      [ATTR_GRAPHQL_DOCUMENT]: document,
      [ATTR_REQUEST_ID]: 'gql-request-1',
    });
    expect(op.status.code).toBe(SpanStatusCode.UNSET);
    expect(http.attributes[ATTR_REQUEST_ID]).toBe('gql-request-1');
    expect(operations).toHaveLength(1);
    expect(operations[0]!.slice(0, 2)).toEqual(['Greeting', 'query']);
    expect(operations[0]![2]).toBeGreaterThanOrEqual(0);
    expect(operations[0]![3]).toBe(true);
  });

  it('an anonymous operation whose resolver throws: span `query`, status ERROR, error.type the error class, an exception event', async () => {
    expect(await post('{ boom }', 'gql-request-2')).toBe(200);
    const spans = await spansOnceEnded('POST /graphql');
    const op = spans.find((s) => s.name === 'query')!;
    expect(op.status.code).toBe(SpanStatusCode.ERROR);
    expect(op.attributes[ATTR_ERROR_TYPE]).toBe('TypeError');
    expect(op.attributes[ATTR_GRAPHQL_OPERATION_NAME]).toBeUndefined();
    expect(op.events.map((e) => e.name)).toEqual(['exception']);
    expect(operations.map((o) => [o[0], o[1], o[3]])).toEqual([[null, 'query', false]]);
  });

  it('a document that does not parse keeps the name `GraphQL Operation` and records an error outcome', async () => {
    expect(await post('{ hello(', 'gql-request-3')).toBe(400);
    const spans = await spansOnceEnded('POST /graphql');
    const op = spans.find((s) => s.name === 'GraphQL Operation')!;
    expect(op.status.code).toBe(SpanStatusCode.ERROR);
    expect(op.attributes[ATTR_ERROR_TYPE]).toBe('GRAPHQL_PARSE_FAILED');
    expect(operations.map((o) => [o[0], o[1], o[3]])).toEqual([[null, null, false]]);
  });

  it('without the middleware (executeOperation), the plugin starts and ends a span of its own', async () => {
    const result = await apollo.executeOperation(
      { query: 'query Again { hello(name: "Bo") }' },
      { contextValue: { requestId: 'in-process-1' } },
    );
    expect(result.body.kind).toBe('single');
    const op = exporter.getFinishedSpans().find((s) => s.name === 'query Again')!;
    expect(op.attributes[ATTR_REQUEST_ID]).toBe('in-process-1');
    expect(op.parentSpanContext).toBeUndefined();
  });
});
