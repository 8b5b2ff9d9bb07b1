import type { IncomingMessage, ServerResponse } from 'node:http';
import { getTelemetryRuntime } from './telemetryRuntime.js';

/**
 * `GET /metrics`: the process's metrics in the Prometheus text exposition
 * format (0.0.4), from the OpenTelemetry Prometheus exporter, which opens no
 * port of its own. A plain Node handler, so it mounts on express as is:
 * `app.get('/metrics', metricsHandler)`.
 *
 * Answers 200 with the metrics; 404 with a one-line text reason when
 * telemetry was not started in this process (`OTEL_SDK_DISABLED=true`,
 * `OTEL_METRICS_EXPORTER=none`, or no `--import ./src/telemetry/register.ts`);
 * 500 when collection fails (the exporter's own message, no stack). Never throws.
 */
export function metricsHandler(req: IncomingMessage, res: ServerResponse): void {
  const serve = getTelemetryRuntime()?.serveMetrics ?? null;
  if (serve === null) {
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(
      'metrics are off in this process (OTEL_SDK_DISABLED, OTEL_METRICS_EXPORTER=none, or telemetry not started)\n',
    );
    return;
  }
  serve(req, res);
}
