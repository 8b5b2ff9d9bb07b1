import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerLogger } from '../../../src/server/serverLogger.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import type { Logger } from '../../../src/telemetry/logger.js';

/** Issue #5 §1, "Logs": JSON lines that carry the active trace and the request id. */

const provider = new NodeTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
});

beforeAll(() => void provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

/** A logger writing into an array of parsed lines. */
function capture(level?: 'debug' | 'warn'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    ...(level === undefined ? {} : { level }),
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { log, lines };
}

describe('Telemetry: the JSON logger', () => {
  it('inside a span, a line carries trace_id, span_id and trace_flags of that span, and the request id', () => {
    const { log, lines } = capture();
    const ids = trace.getTracer('test').startActiveSpan('request', (span) => {
      log.warn('masked an internal error', { requestId: 'req-42', code: 'INTERNAL_SERVER_ERROR' });
      span.end();
      return span.spanContext();
    });
    expect(lines).toEqual([
      {
        level: 'warn',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        pid: process.pid,
        hostname: expect.any(String),
        trace_id: ids.traceId,
        span_id: ids.spanId,
        trace_flags: '01',
        requestId: 'req-42',
        code: 'INTERNAL_SERVER_ERROR',
        message: 'masked an internal error',
      },
    ]);
  });

  it('outside any span, a line has no trace fields', () => {
    const { log, lines } = capture();
    log.error('no span here');
    expect(lines[0]).toMatchObject({ level: 'error', message: 'no span here' });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('child bindings (the request id) are on every line; levels below the threshold are dropped', () => {
    const { log, lines } = capture('warn');
    const request = log.child({ requestId: 'req-7' });
    request.info('dropped');
    request.warn('kept');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', requestId: 'req-7', message: 'kept' });
  });

  it('an Error in `error` is written with its type, message and stack', () => {
    const { log, lines } = capture();
    log.error('side effect failed', { error: new RangeError('bad offset') });
    expect(lines[0]!['error']).toMatchObject({ type: 'RangeError', message: 'bad offset' });
    expect((lines[0]!['error'] as { stack: string }).stack).toContain('RangeError: bad offset');
  });

  it('fits where the server expects a ServerLogger', () => {
    const { log, lines } = capture();
    const serverLogger: ServerLogger = log;
    serverLogger.error('masked', { requestId: 'r1' });
    expect(lines[0]).toMatchObject({ level: 'error', requestId: 'r1', message: 'masked' });
  });
});
