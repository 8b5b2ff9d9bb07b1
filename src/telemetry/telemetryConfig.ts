/**
 * What recgate's telemetry does, decided from the standard OpenTelemetry
 * environment variables (the SDK reads the rest of them itself: protocol,
 * headers, sampler, batch sizes…). See docs/operations.md, "Telemetry".
 */
export interface TelemetryConfig {
  /** `OTEL_SDK_DISABLED=true`: no SDK, no instrumentation, no metrics; every API call is a no-op. */
  readonly disabled: boolean;
  /**
   * Spans are exported: `OTEL_TRACES_EXPORTER` names an exporter (`otlp`,
   * `console`, `zipkin`; not `none`), or it is unset and an OTLP endpoint
   * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
   * set. Otherwise spans are created non-recording (trace and span ids for
   * logs and propagation, no attributes kept, nothing sent).
   */
  readonly exportTraces: boolean;
  /**
   * Metrics are collected for `GET /metrics` (Prometheus text format, pulled:
   * no network call of ours). Off only with `OTEL_METRICS_EXPORTER=none`;
   * other values start no extra exporter.
   */
  readonly metrics: boolean;
  /**
   * OpenTelemetry log records are exported as `OTEL_LOGS_EXPORTER` says; only
   * when it is set explicitly (and not `none`). recgate's own logs are JSON
   * lines on stderr either way (src/telemetry/logger.ts).
   */
  readonly exportLogs: boolean;
  /**
   * `service.name` to set: `recgate` when neither `OTEL_SERVICE_NAME` nor a
   * `service.name=` in `OTEL_RESOURCE_ATTRIBUTES` gives one; undefined when
   * the environment does (the SDK applies it).
   */
  readonly serviceName: string | undefined;
}

/** The `service.name` used when the environment sets none. */
export const DEFAULT_SERVICE_NAME = 'recgate';

/**
 * Reads {@link TelemetryConfig} from an environment. Pure: never throws;
 * values are trimmed and compared case-insensitively, as the SDK does.
 * @param env usually `process.env`.
 */
export function resolveTelemetryConfig(env: Readonly<Record<string, string | undefined>>): TelemetryConfig {
  const value = (name: string): string => (env[name] ?? '').trim();
  const list = (name: string): string[] =>
    value(name)
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== '' && s !== 'null');
  const disabled = value('OTEL_SDK_DISABLED').toLowerCase() === 'true';
  const traces = list('OTEL_TRACES_EXPORTER');
  const endpoint =
    value('OTEL_EXPORTER_OTLP_ENDPOINT') !== '' || value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== '';
  // As the SDK reads the list: `none` first disables tracing; `none` after another name means otlp.
  const exportTraces = traces.length === 0 ? endpoint : traces[0] !== 'none';
  const logs = list('OTEL_LOGS_EXPORTER');
  const hasServiceName =
    value('OTEL_SERVICE_NAME') !== '' ||
    value('OTEL_RESOURCE_ATTRIBUTES')
      .split(',')
      .some((pair) => pair.trim().startsWith('service.name='));
  return {
    disabled,
    exportTraces: !disabled && exportTraces,
    metrics: !disabled && !list('OTEL_METRICS_EXPORTER').includes('none'),
    exportLogs: !disabled && logs.length > 0 && !logs.includes('none'),
    serviceName: hasServiceName ? undefined : DEFAULT_SERVICE_NAME,
  };
}
