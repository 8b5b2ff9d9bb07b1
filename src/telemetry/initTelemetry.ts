import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag, metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createMeterTelemetry } from './meterTelemetry.js';
import { noopTelemetry } from './telemetry.js';
import { resolveTelemetryConfig } from './telemetryConfig.js';
import { TELEMETRY_SCOPE } from './telemetryNames.js';
import type { TelemetryRuntime } from './telemetryRuntime.js';
import { getTelemetryRuntime, setTelemetryRuntime } from './telemetryRuntime.js';

/** Request paths whose HTTP server spans are not recorded: probes and scrapes, not traffic. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/metrics', '/favicon.ico']);

/**
 * The instrumentations recgate runs (the "standard instrumentations"):
 * `http` (server spans, `http.server.request.duration`; probes and
 * {@link UNTRACED_PATHS} skipped), `express` (route on the server span,
 * request-handler spans; middleware layers skipped), `ioredis` (one client
 * span per command, only inside a traced request: `requireParentSpan`) and
 * `undici` (fetch and the Qdrant client's HTTP calls).
 */
export function recgateInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!),
    }),
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new IORedisInstrumentation({ requireParentSpan: true }),
    new UndiciInstrumentation(),
  ];
}

/**
 * Starts OpenTelemetry for this process, once: the Node SDK configured by the
 * standard `OTEL_*` variables (see {@link resolveTelemetryConfig}), with
 * {@link recgateInstrumentations}, W3C trace-context propagation, and a
 * MeterProvider whose only reader is the Prometheus exporter (no port of its
 * own: `/metrics` serves it through `metricsHandler`).
 *
 * Off by default: without an OTLP endpoint or `OTEL_TRACES_EXPORTER`, spans
 * are non-recording (ids only, for log correlation and propagation; nothing
 * kept, nothing sent) and no network call is made. With an endpoint, spans go
 * by OTLP (`OTEL_EXPORTER_OTLP_PROTOCOL`, default `http/protobuf`) in batches;
 * an unreachable collector drops them silently (set `OTEL_LOG_LEVEL=warn` to see why).
 * `OTEL_SDK_DISABLED=true` starts nothing.
 *
 * Instrumentation patches only modules loaded after this call, and ESM
 * imports only through the import-in-the-middle loader hook: run it from the
 * `--import` entry `src/telemetry/register.ts`, not from application code.
 * A second call returns the runtime of the first.
 * @returns the runtime, also installed for `getTelemetry()`, `metricsHandler` and `shutdownTelemetry()`.
 */
export function initTelemetry(): TelemetryRuntime {
  const existing = getTelemetryRuntime();
  if (existing !== undefined) return existing;
  const config = resolveTelemetryConfig(process.env);
  if (config.disabled) {
    const runtime: TelemetryRuntime = {
      config,
      telemetry: noopTelemetry,
      serveMetrics: null,
      shutdown: async () => undefined,
    };
    setTelemetryRuntime(runtime);
    return runtime;
  }
  const prometheus = config.metrics ? new PrometheusExporter({ preventServerStart: true }) : null;
  const sdk = new NodeSDK({
    instrumentations: recgateInstrumentations(),
    metricReaders: prometheus === null ? [] : [prometheus],
    ...(config.serviceName === undefined ? {} : { serviceName: config.serviceName }),
    // Traces: the SDK reads OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_* itself when they ask for
    // export; otherwise a provider that samples nothing (ids only) and has nowhere to send.
    ...(config.exportTraces
      ? {}
      : { sampler: new AlwaysOffSampler(), spanProcessors: [new NoopSpanProcessor()] }),
    // Logs: only when OTEL_LOGS_EXPORTER asks (the SDK's default would be an OTLP exporter to localhost).
    ...(config.exportLogs ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  let stopped: Promise<void> | null = null;
  const runtime: TelemetryRuntime = {
    config,
    telemetry: prometheus === null ? noopTelemetry : createMeterTelemetry(metrics.getMeter(TELEMETRY_SCOPE)),
    serveMetrics: prometheus === null ? null : prometheusHandler(prometheus),
    shutdown: () => {
      stopped ??= withinMs(
        SHUTDOWN_TIMEOUT_MS,
        sdk.shutdown().catch((err: unknown) => diag.warn('recgate: telemetry shutdown failed', err)),
      );
      return stopped;
    },
  };
  setTelemetryRuntime(runtime);
  return runtime;
}

/**
 * Longest wait of `shutdown()` for the last spans to be exported, in ms: a
 * collector that is down must not hold up a server's exit (the OTLP exporter
 * itself retries for up to `OTEL_EXPORTER_OTLP_TIMEOUT`, default 10 s).
 */
export const SHUTDOWN_TIMEOUT_MS = 2000;

/** Resolves when `work` settles or after `ms`, whichever is first; the timer does not keep the process alive. */
function withinMs(ms: number, work: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Serves a Prometheus exporter's collection: 200 and the text format 0.0.4,
 * or 500 with the collection error's message.
 */
function prometheusHandler(
  exporter: PrometheusExporter,
): (req: IncomingMessage, res: ServerResponse) => void {
  const serializer = new PrometheusSerializer();
  return (_req, res) => {
    exporter.collect().then(
      ({ resourceMetrics, errors }) => {
        if (errors.length > 0) diag.warn('recgate: metrics collection errors', ...errors);
        res.statusCode = 200;
        res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
        res.end(serializer.serialize(resourceMetrics));
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(`# failed to collect metrics: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  };
}
