/**
 * The `--import` entry that starts telemetry before any application module
 * loads:
 *
 *   tsx --import ./src/telemetry/register.ts src/cli.ts serve
 *   node --import tsx --import ./src/telemetry/register.ts src/cli.ts serve
 *
 * (tsx first: this file is TypeScript). It registers the import-in-the-middle
 * loader hook in "only hooked modules" mode (the hook wraps just the modules
 * an instrumentation asked for: `http`, `express`, `ioredis`, `undici`;
 * everything else loads untouched), then calls {@link initTelemetry}, then
 * waits until the loader thread has acknowledged those module names, so the
 * application's own `import { Redis } from 'ioredis'` is patched. Without the
 * hook only `require()`d modules would be: recgate is ESM, so its `node:http`,
 * express and ioredis imports would not be.
 *
 * On a natural exit (`beforeExit`) it flushes pending spans; a server that
 * exits with `process.exit` must `await shutdownTelemetry()` first.
 * With `OTEL_SDK_DISABLED=true` it registers nothing (no hook, no SDK).
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { initTelemetry } from './initTelemetry.js';
import { resolveTelemetryConfig } from './telemetryConfig.js';
import { shutdownTelemetry } from './telemetryRuntime.js';

if (resolveTelemetryConfig(process.env).disabled) {
  initTelemetry(); // installs the no-op runtime: /metrics says why it is off
} else {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  initTelemetry();
  await waitForAllMessagesAcknowledged();
  process.once('beforeExit', () => void shutdownTelemetry());
}
