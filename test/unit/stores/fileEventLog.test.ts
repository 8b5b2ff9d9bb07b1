import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FileEventLog } from '../../../src/stores/file/fileEventLog.js';
import { eventLogContract, feedbackRecord, readAll } from '../../contracts/eventLogContract.js';

const root = mkdtempSync(join(tmpdir(), 'recgate-eventlog-'));
let counter = 0;
const freshPath = (): string => join(root, `log-${counter++}`, 'events.jsonl');

afterAll(() => rmSync(root, { recursive: true, force: true }));

eventLogContract('file', async () => {
  const path = freshPath();
  return { log: new FileEventLog({ path }), reopen: async () => new FileEventLog({ path }) };
});

eventLogContract('file (fsync never)', async () => {
  const path = freshPath();
  return {
    log: new FileEventLog({ path, fsync: 'never' }),
    reopen: async () => new FileEventLog({ path, fsync: 'never' }),
  };
});

describe('FileEventLog', () => {
  it('writes one JSON object per line and creates the folder', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(1), feedbackRecord(2)]);
    await log.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.length).toBe(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1]!)).toEqual(feedbackRecord(2));
  });

  it('never interleaves lines of concurrent appends: every line parses', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path, fsync: 'never' });
    const big = (c: number) =>
      Array.from({ length: 200 }, (_, n) => ({ ...feedbackRecord(n, c), pad: 'x'.repeat(500) }));
    await Promise.all(Array.from({ length: 20 }, (_, c) => log.append(big(c))));
    await log.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(4000);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('skips and counts a torn last line, and starts the next append on a line of its own', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(1)]);
    await log.close();
    appendFileSync(path, '{"kind":"feedback","eventId":"torn"');
    const reopened = new FileEventLog({ path });
    expect((await readAll(reopened)).map((r) => r.eventId)).toEqual(['e0-1']);
    expect(reopened.lastRead).toEqual({ records: 1, skipped: 1 });
    await reopened.append([feedbackRecord(2)]);
    expect((await readAll(reopened)).map((r) => r.eventId)).toEqual(['e0-1', 'e0-2']);
    expect(reopened.lastRead).toEqual({ records: 2, skipped: 1 });
    await reopened.close();
  });

  it('starts a new line when another process left the open file ending mid-line (fault-injection report, issue #6)', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(1), feedbackRecord(2)]);
    // Another process cuts the file in the middle of the second line while the log keeps it open.
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 10));
    await log.append([feedbackRecord(3)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-1', 'e0-3']);
    expect(log.lastRead).toEqual({ records: 2, skipped: 1 });
    // An outside append of whole lines needs no newline: nothing is skipped.
    appendFileSync(path, `${JSON.stringify(feedbackRecord(4))}\n`);
    await log.append([feedbackRecord(5)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-1', 'e0-3', 'e0-4', 'e0-5']);
    expect(readFileSync(path, 'utf8')).not.toContain('\n\n');
    await log.close();
  });

  it('rejects an append it cannot write, and appends again once the path works', async () => {
    const dir = join(root, 'blocked');
    const path = join(dir, 'events.jsonl');
    writeFileSync(dir, 'a file where the folder should be');
    const log = new FileEventLog({ path });
    await expect(log.append([feedbackRecord(1)])).rejects.toThrow();
    rmSync(dir);
    await log.append([feedbackRecord(2)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-2']);
    await log.close();
  });

  it('reopens the log when the file at its path was renamed away (attack report #1)', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(1)]);
    renameSync(path, `${path}.moved`);
    await log.append([feedbackRecord(2)]);
    expect(
      readFileSync(path, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).eventId),
    ).toEqual(['e0-2']);
    expect(readFileSync(`${path}.moved`, 'utf8')).not.toContain('e0-2');
    await log.close();
  });

  it('reopens the log when the file at its path was deleted or replaced by another file (attack report #1)', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(1)]);
    unlinkSync(path);
    await log.append([feedbackRecord(2)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-2']);
    writeFileSync(`${path}.new`, '');
    renameSync(`${path}.new`, path);
    await log.append([feedbackRecord(3)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-3']);
    await log.close();
  });

  it('rejects the append when a directory replaced the file at its path, never writing to the orphan (attack report #1)', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(1)]);
    renameSync(path, `${path}.moved`);
    mkdirSync(path);
    await expect(log.append([feedbackRecord(2)])).rejects.toThrow();
    expect(readFileSync(`${path}.moved`, 'utf8')).not.toContain('e0-2');
    rmSync(path, { recursive: true });
    await log.append([feedbackRecord(3)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-3']);
    await log.close();
  });

  it('writes appends that arrive during a write together, with one fdatasync, in call order (group commit)', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    await log.append([feedbackRecord(0)]); // opens the file
    const handle = await open(path, 'r');
    const datasync = vi.spyOn(Object.getPrototypeOf(handle) as { datasync: () => Promise<void> }, 'datasync');
    await handle.close();
    try {
      // 20 calls in one tick: the write starts on a later microtask, so all 20 share it.
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, c) =>
          log.append([feedbackRecord(1, c + 1)]).then(() => order.push(c)),
        ),
      );
      expect(datasync).toHaveBeenCalledTimes(1);
      expect(order).toEqual(Array.from({ length: 20 }, (_, c) => c));
      // One call whose write has started, then two more: those two share the next write.
      const first = log.append([feedbackRecord(2)]);
      await new Promise((done) => setImmediate(done));
      await Promise.all([first, log.append([feedbackRecord(3)]), log.append([feedbackRecord(4)])]);
      expect(datasync).toHaveBeenCalledTimes(3);
      const ids = (await readAll(log)).map((r) => r.eventId);
      expect(ids).toEqual([
        feedbackRecord(0).eventId,
        ...order.map((c) => feedbackRecord(1, c + 1).eventId),
        ...[2, 3, 4].map((n) => feedbackRecord(n).eventId),
      ]);
    } finally {
      datasync.mockRestore();
      await log.close();
    }
  });

  it('rejects every append of a failed group write, and the next group is written', async () => {
    const dir = join(root, 'blocked-group');
    const path = join(dir, 'events.jsonl');
    writeFileSync(dir, 'a file where the folder should be');
    const log = new FileEventLog({ path });
    const results = await Promise.allSettled([1, 2, 3].map((n) => log.append([feedbackRecord(n)])));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    rmSync(dir);
    await Promise.all([4, 5].map((n) => log.append([feedbackRecord(n)])));
    expect((await readAll(log)).map((r) => r.eventId)).toEqual([
      feedbackRecord(4).eventId,
      feedbackRecord(5).eventId,
    ]);
    await log.close();
  });

  it('rejects a record that cannot be serialised without blocking the appends after it', async () => {
    const path = freshPath();
    const log = new FileEventLog({ path });
    const cyclic = { ...feedbackRecord(1) } as Record<string, unknown>;
    cyclic.self = cyclic;
    await expect(log.append([cyclic as unknown as ReturnType<typeof feedbackRecord>])).rejects.toThrow(
      TypeError,
    );
    await log.append([feedbackRecord(2)]);
    expect((await readAll(log)).map((r) => r.eventId)).toEqual([feedbackRecord(2).eventId]);
    await log.close();
  });

  it('rejects appends after close', async () => {
    const log = new FileEventLog({ path: freshPath() });
    await log.close();
    await expect(log.append([feedbackRecord(1)])).rejects.toThrow(/closed/);
  });

  it('keeps every acknowledged record when the writing process is killed with SIGKILL', async () => {
    const path = freshPath();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(fileURLToPath(import.meta.url), '../eventLogChild.ts'), path, '25'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let acknowledged = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise<void>((done, fail) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        for (const m of chunk.matchAll(/appended (\d+)/g)) acknowledged = Number(m[1]);
        if (acknowledged === 25) {
          child.kill('SIGKILL');
          done();
        }
      });
      child.on('exit', (code) =>
        acknowledged < 25 ? fail(new Error(`child exited ${code}: ${stderr}`)) : undefined,
      );
    });
    await new Promise((done) => child.on('close', done));
    expect(child.signalCode).toBe('SIGKILL');
    const log = new FileEventLog({ path });
    const ids = (await readAll(log)).map((r) => r.eventId);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, n) => `e0-${n}`));
    await log.close();
  });
});
