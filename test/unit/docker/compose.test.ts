import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ComposeFile, ComposeService } from './dockerFiles.js';
import { dockerFile, environmentOf, imageTag, readCompose, readRepoFile, repoRoot } from './dockerFiles.js';

/**
 * The official Compose Specification JSON schema (compose-spec/compose-go's
 * `schema/compose-spec.json`, draft-07), as shipped by the `dclint` package
 * (Docker Compose linter, dev dependency) in `schemas/compose.schema.json`.
 * Docker does not run here, so this schema is what stands in for
 * `docker compose config`.
 */
function composeSchemaValidator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // The schema names its meta-schema by an https URL Ajv does not register; Ajv's default class is draft-07.
  delete schema.$schema;
  // The settings dclint validates with: union types, and no strict-mode lint of the schema itself.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  return ajv.compile(schema);
}

/**
 * Variables of the gateway's environment that README.md's configuration table
 * may still lack: the OpenTelemetry SDK's standard variables, whose rows come
 * with the gateway's telemetry (another change). Any other variable compose
 * passes must be documented. Drop a name here once its README row lands.
 */
/** The variable names of README.md's "Configuration" table (rows starting with `` | `NAME` ``). */
function readmeConfigVariables(): Set<string> {
  const readme = readRepoFile('README.md');
  const start = readme.indexOf('\n## Configuration');
  expect(start, 'README.md has a "## Configuration" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!));
}

describe('docker/compose.yaml', () => {
  let validate: ValidateFunction;
  let compose: ComposeFile;
  let gateway: ComposeService;
  beforeAll(() => {
    validate = composeSchemaValidator();
    compose = readCompose() as ComposeFile;
    gateway = compose.services['gateway']!;
  });

  it('is valid against the Compose Specification schema', () => {
    const valid = validate(readCompose());
    expect(valid, JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the schema check is not vacuous: it rejects a misspelt key and a bad depends_on condition', () => {
    const misspelt = structuredClone(readCompose()) as { services: Record<string, Record<string, unknown>> };
    misspelt.services['redis']!['healthchek'] = { test: ['CMD', 'redis-cli', 'ping'] };
    expect(validate(misspelt)).toBe(false);
    const badCondition = parse(
      'services:\n  a:\n    image: x:1\n    depends_on:\n      b:\n        condition: healthy\n  b:\n    image: y:1\n',
    ) as unknown;
    expect(validate(badCondition)).toBe(false);
  });

  it('runs the gateway, Redis, Qdrant and an OpenTelemetry collector', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'otel-collector', 'qdrant', 'redis']);
  });

  it('pins every image to a version tag, never latest', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.image, `${name} has an image`).toBeDefined();
      const { tag } = imageTag(service.image!);
      expect(tag, `${name}: ${service.image}`).not.toBeNull();
      expect(tag, `${name}: ${service.image}`).not.toMatch(/^(latest|stable|edge|nightly)$/);
      expect(tag, `${name}: ${service.image} has a version number`).toMatch(/\d+\.\d+/);
    }
  });

  it('builds the gateway from docker/Dockerfile with the repository root as context', () => {
    const build = gateway.build as { context: string; dockerfile: string };
    const context = path.resolve(path.dirname(dockerFile('compose.yaml')), build.context);
    expect(context).toBe(repoRoot);
    expect(existsSync(path.join(context, build.dockerfile))).toBe(true);
    expect(existsSync(path.join(context, '.dockerignore'))).toBe(true);
  });

  it('configures the gateway for Redis, Qdrant and the collector, with the registry on a volume', () => {
    expect(environmentOf(gateway)).toEqual({
      PORT: '4000',
      RECGATE_REGISTRY: '/data/registry',
      RECGATE_FEATURE_STORE: 'redis',
      REDIS_URL: 'redis://redis:6379',
      RECGATE_EVENT_LOG: 'redis',
      RECGATE_VECTOR_INDEX: 'qdrant',
      QDRANT_URL: 'http://qdrant:6333',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      OTEL_SERVICE_NAME: 'recgate',
    });
    expect(gateway.volumes).toContain('registry:/data/registry');
    expect(Object.keys(compose.volumes ?? {})).toContain('registry');
    expect(gateway.depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
  });

  it('runs Redis with the append-only file fsynced every second, on a volume, since it holds the event log', () => {
    const redis = compose.services['redis']!;
    const command = Array.isArray(redis.command) ? redis.command.join(' ') : String(redis.command);
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--appendfsync everysec\b/);
    expect(redis.volumes).toContain('redis-data:/data');
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('keeps Qdrant storage on a volume', () => {
    expect(compose.services['qdrant']!.volumes).toContain('qdrant-data:/qdrant/storage');
  });

  it("every variable passed to the gateway is in README.md's configuration table", () => {
    const documented = readmeConfigVariables();
    const undocumented = Object.keys(environmentOf(gateway)).filter((name) => !documented.has(name));
    expect(undocumented).toEqual([]);
    // The table is really read: the backend switches compose sets are in it.
    for (const name of [
      'RECGATE_FEATURE_STORE',
      'RECGATE_EVENT_LOG',
      'RECGATE_VECTOR_INDEX',
      'REDIS_URL',
      'QDRANT_URL',
    ]) {
      expect(documented.has(name), name).toBe(true);
    }
  });
});

describe('docker/otel-collector.yaml', () => {
  interface CollectorConfig {
    receivers: Record<string, { protocols?: Record<string, { endpoint?: string }> }>;
    processors?: Record<string, unknown>;
    exporters: Record<string, unknown>;
    extensions?: Record<string, unknown>;
    service: { extensions?: string[]; pipelines: Record<string, Record<string, string[]>> };
  }
  let config: CollectorConfig;
  beforeAll(() => {
    config = parse(readFileSync(dockerFile('otel-collector.yaml'), 'utf8')) as CollectorConfig;
  });

  it('is the file compose mounts as the collector configuration', () => {
    const collector = (readCompose() as ComposeFile).services['otel-collector']!;
    const mount = (collector.volumes as string[]).find((v) => v.startsWith('./otel-collector.yaml:'));
    expect(mount).toBeDefined();
    const target = mount!.split(':')[1];
    expect(collector.command).toEqual([`--config=${target}`]);
  });

  it('receives OTLP over HTTP on the port the gateway exports to, and over gRPC, on all interfaces', () => {
    const { grpc, http } = config.receivers['otlp']!.protocols!;
    expect(http?.endpoint).toBe('0.0.0.0:4318');
    expect(grpc?.endpoint).toBe('0.0.0.0:4317');
    const gateway = (readCompose() as ComposeFile).services['gateway']!;
    const exportTo = new URL(environmentOf(gateway)['OTEL_EXPORTER_OTLP_ENDPOINT']!);
    expect(exportTo.hostname).toBe('otel-collector');
    expect(exportTo.port).toBe(http!.endpoint!.split(':')[1]);
  });

  it('has traces, metrics and logs pipelines that use only components it defines, ending in the debug exporter', () => {
    const sections = {
      receivers: config.receivers,
      processors: config.processors ?? {},
      exporters: config.exporters,
    };
    expect(Object.keys(config.service.pipelines).sort()).toEqual(['logs', 'metrics', 'traces']);
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      for (const [kind, ids] of Object.entries(pipeline)) {
        for (const id of ids)
          expect(Object.keys(sections[kind as keyof typeof sections]), `${name}.${kind}`).toContain(id);
      }
      expect(pipeline['exporters']).toContain('debug');
    }
    for (const id of config.service.extensions ?? [])
      expect(Object.keys(config.extensions ?? {})).toContain(id);
  });
});
