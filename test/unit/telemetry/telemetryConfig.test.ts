import { describe, expect, it } from 'vitest';
import { resolveTelemetryConfig } from '../../../src/telemetry/telemetryConfig.js';

describe('Telemetry: configuration from the OTEL_* environment', () => {
  it('by default: nothing exported (no network call), metrics on /metrics, service name recgate', () => {
    expect(resolveTelemetryConfig({})).toEqual({
      disabled: false,
      exportTraces: false,
      metrics: true,
      exportLogs: false,
      serviceName: 'recgate',
    });
  });

  it('an OTLP endpoint (general or traces-only) turns trace export on', () => {
    expect(
      resolveTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exportTraces,
    ).toBe(true);
    expect(
      resolveTelemetryConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }).exportTraces,
    ).toBe(true);
    expect(resolveTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).exportTraces).toBe(false);
  });

  it('OTEL_TRACES_EXPORTER decides when set: otlp or console export, none does not even with an endpoint', () => {
    expect(resolveTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).exportTraces).toBe(true);
    expect(resolveTelemetryConfig({ OTEL_TRACES_EXPORTER: 'console' }).exportTraces).toBe(true);
    expect(
      resolveTelemetryConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })
        .exportTraces,
    ).toBe(false);
  });

  it('OTEL_SDK_DISABLED=true turns everything off', () => {
    expect(
      resolveTelemetryConfig({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toMatchObject({ disabled: true, exportTraces: false, metrics: false, exportLogs: false });
  });

  it('OTEL_METRICS_EXPORTER=none turns /metrics off; OTEL_LOGS_EXPORTER must be set to export log records', () => {
    expect(resolveTelemetryConfig({ OTEL_METRICS_EXPORTER: 'none' }).metrics).toBe(false);
    expect(resolveTelemetryConfig({ OTEL_METRICS_EXPORTER: 'prometheus' }).metrics).toBe(true);
    expect(resolveTelemetryConfig({ OTEL_LOGS_EXPORTER: 'otlp' }).exportLogs).toBe(true);
    expect(resolveTelemetryConfig({ OTEL_LOGS_EXPORTER: 'none' }).exportLogs).toBe(false);
  });

  it('a service name from OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES is left to the SDK', () => {
    expect(resolveTelemetryConfig({ OTEL_SERVICE_NAME: 'gw' }).serviceName).toBeUndefined();
    expect(
      resolveTelemetryConfig({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, service.name=gw' })
        .serviceName,
    ).toBeUndefined();
  });
});
