import { readFileSync } from 'node:fs';

/** Memory of a process from `/proc/<pid>/status` (Linux), in bytes. */
export interface ProcMemory {
  /** `VmRSS`: resident set size now. */
  readonly rss: number;
  /** `VmHWM`: peak resident set size ("high water mark") since the process started. */
  readonly peakRss: number;
}

/**
 * Parses the `VmRSS` and `VmHWM` lines of a `/proc/<pid>/status` text
 * (proc(5): values in kB, i.e. KiB) into bytes.
 * @throws Error when either line is missing.
 */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    if (m === null) throw new Error(`no ${field} line in /proc status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/**
 * CPU time of a process from a `/proc/<pid>/stat` line (proc(5)): fields 14
 * `utime` and 15 `stime`, in clock ticks, counted after the `(comm)` field,
 * which may itself hold spaces and parentheses.
 * @param ticksPerSecond `getconf CLK_TCK`, 100 on Linux. @default 100
 * @returns user and system CPU seconds.
 * @throws Error for a line without the closing parenthesis of `comm` or too few fields.
 */
export function parseProcStat(line: string, ticksPerSecond = 100): { user: number; system: number } {
  const close = line.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no (comm) field');
  // After "pid (comm) " the fields start at field 3 (state).
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error('a /proc/<pid>/stat line with too few fields');
  return { user: utime / ticksPerSecond, system: stime / ticksPerSecond };
}

/** {@link parseProcStatus} of a live process; null when it is gone or this is not Linux. */
export function readProcMemory(pid: number): ProcMemory | null {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}
