import { describe, expect, it } from 'vitest';
import { parseProcStat, parseProcStatus, readProcMemory } from '../../../src/bench/procStatus.js';

describe('/proc parsing', () => {
  it('reads VmRSS and VmHWM in kB as bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).toEqual({ rss: 102400 * 1024, peakRss: 204800 * 1024 });
  });

  it('throws when a line is missing', () => {
    expect(() => parseProcStatus('VmRSS:\t1 kB\n')).toThrow(/VmHWM/);
  });

  it('reads utime and stime (fields 14 and 15) after a comm holding spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0';
    expect(parseProcStat(line)).toEqual({ user: 2.5, system: 0.75 });
    expect(parseProcStat(line, 1000)).toEqual({ user: 0.25, system: 0.075 });
  });

  it('reads this process’s memory on Linux and null for a process that does not exist', () => {
    if (process.platform === 'linux') expect(readProcMemory(process.pid)!.peakRss).toBeGreaterThan(0);
    expect(readProcMemory(2 ** 30)).toBeNull();
  });
});
