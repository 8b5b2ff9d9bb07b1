import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { DestinationStream, LevelWithSilent } from 'pino';

/** Extra fields of one log line (`requestId`, `component`, `error`…); an `Error` under `err` or `error` is serialised with its type, message and stack. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * recgate's structured logger: one JSON object per line. Every line carries
 * `level` (`error`, `warn`, `info`, `debug`), `time` (ISO 8601, UTC),
 * `pid`, `hostname`, `message`, the given fields, and, when a span is active
 * (an HTTP request, a pipeline stage), `trace_id`, `span_id` (lower-case hex)
 * and `trace_flags` (`01` sampled, `00` not): the OpenTelemetry log-correlation
 * names, so a line leads to its trace. The request id is the `requestId`
 * field: pass it in `fields` or bind it with {@link Logger.child}.
 *
 * `error(message, fields)` and `warn(message, fields)` have the shape of the
 * server's `ServerLogger` (src/server/serverLogger.ts), so a Logger can be
 * passed where one is expected. Methods never throw.
 */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `bindings` too (e.g. `{ requestId }`). */
  child(bindings: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written; `silent` writes nothing. @default 'info' */
  readonly level?: LevelWithSilent;
  /**
   * Where lines go: a pino destination or any stream with `write(string)`.
   * @default stderr, written synchronously (nothing lost on `process.exit`)
   */
  readonly destination?: DestinationStream;
}

/**
 * A {@link Logger} on pino (JSON lines; see {@link Logger} for the format).
 * @throws Error when `level` is not a pino level name.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = pino(
    {
      level: options.level ?? 'info',
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
      mixin: traceFields,
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
  return wrap(base);
}

/** The trace correlation fields of the active span; none without a valid one. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return {};
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    trace_flags: ctx.traceFlags.toString(16).padStart(2, '0'),
  };
}

function wrap(p: pino.Logger): Logger {
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) p[level](message);
      else p[level]({ ...fields }, message);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (bindings) => wrap(p.child({ ...bindings })),
  };
}

/** The values `RECGATE_LOG_LEVEL` accepts (any case); `recgate serve` refuses others (config.ts). */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/**
 * The process logger: stderr, level from `RECGATE_LOG_LEVEL` ({@link LOG_LEVELS};
 * default `info`; an unknown value falls back to `info` here, and `recgate serve` refuses it).
 */
export const logger: Logger = createLogger({ level: levelFrom(process.env['RECGATE_LOG_LEVEL']) });

/** The pino level named by `value` (trimmed, any case); unset or unknown: `info`. */
function levelFrom(value: string | undefined): LevelWithSilent {
  const v = (value ?? '').trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LevelWithSilent) : 'info';
}

/** Errors that describe an expected condition (a backend is down or slow): logged without a stack. */
const EXPECTED_ERRORS = new Set(['DependencyUnavailableError']);

/** pino's error serializer, minus the stack for {@link EXPECTED_ERRORS} (a stack per request during an outage is noise). */
function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  if (EXPECTED_ERRORS.has(value.name)) return { type: value.name, message: value.message };
  return pino.stdSerializers.err(value);
}
