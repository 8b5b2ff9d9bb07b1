import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Telemetry } from './telemetry.js';
import { noopTelemetry } from './telemetry.js';
import type { TelemetryConfig } from './telemetryConfig.js';

/**
 * The process's started telemetry: what `initTelemetry` built. Held in one
 * process-wide slot (on `globalThis`, like the OpenTelemetry API's own
 * globals) so that the `--import` entry and the application share it even if
 * this module were loaded twice under different URLs.
 */
export interface TelemetryRuntime {
  /** The configuration it was started with. */
  readonly config: TelemetryConfig;
  /** The metrics facade (a no-op one when metrics are off). */
  readonly telemetry: Telemetry;
  /**
   * Writes the current metrics in the Prometheus text format (0.0.4) to an
   * HTTP response; null when metrics are off.
   */
  readonly serveMetrics: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** Flushes pending spans and stops the SDK, waiting at most 2 s (SHUTDOWN_TIMEOUT_MS). Never rejects; later calls return the same promise. */
  shutdown(): Promise<void>;
}

const SLOT = Symbol.for('recgate.telemetry.runtime');
type Slot = { [SLOT]?: TelemetryRuntime };

/** The started runtime, or undefined before `initTelemetry` (or when it was not called). */
export function getTelemetryRuntime(): TelemetryRuntime | undefined {
  return (globalThis as Slot)[SLOT];
}

/**
 * Installs the runtime (`initTelemetry` calls this; tests may install their own).
 * @throws Error when one is installed already: the OpenTelemetry globals can be set once per process.
 */
export function setTelemetryRuntime(runtime: TelemetryRuntime): void {
  const slot = globalThis as Slot;
  if (slot[SLOT] !== undefined) throw new Error('telemetry is already initialised in this process');
  slot[SLOT] = runtime;
}

/**
 * The process's {@link Telemetry} facade: the started one, else
 * {@link noopTelemetry}. Cheap: call it where needed, or once and keep the result
 * (after start-up: a facade taken before `initTelemetry` stays the no-op one).
 */
export function getTelemetry(): Telemetry {
  return getTelemetryRuntime()?.telemetry ?? noopTelemetry;
}

/**
 * Flushes and stops telemetry, if it was started: call it on shutdown after
 * the HTTP server has drained, before `process.exit` (which would drop the
 * spans still batched). Resolves when done or after at most 2 s (a collector
 * that is down cannot hold up the exit); never rejects; a second call is a no-op.
 */
export async function shutdownTelemetry(): Promise<void> {
  await getTelemetryRuntime()?.shutdown();
}
