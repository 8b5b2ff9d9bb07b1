/**
 * Where the server writes what clients must not see (masked errors, guarded
 * values). `fields` always carries `requestId` when one is known.
 */
export interface ServerLogger {
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
  /** Routine events worth a line (a client that disconnected mid-request); optional, so older loggers still fit. */
  info?(message: string, fields: Readonly<Record<string, unknown>>): void;
}

/** The default {@link ServerLogger}: one JSON object per line on stderr. */
export const stderrLogger: ServerLogger = {
  error: (message, fields) => writeLine('error', message, fields),
  warn: (message, fields) => writeLine('warn', message, fields),
  info: (message, fields) => writeLine('info', message, fields),
};

function writeLine(level: string, message: string, fields: Readonly<Record<string, unknown>>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
}
