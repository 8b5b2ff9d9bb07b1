import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import { userLimitMessage } from '../../src/services/feedbackService.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { FeedbackEvent } from '../../src/services/serviceTypes.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import { logger } from '../../src/telemetry/logger.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * RECGATE_MEMORY_MAX_USERS reaches the memory store the gateway makes. With
 * a limit of 1, far below the model's training users: the model still loads
 * (with a warning) and its users keep sending feedback, while a new user's
 * feedback and impressions are refused with USER_LIMIT and never reach the
 * event log; recommendations for an unknown user create no state.
 */
let gateway: Gateway;
let tmp: string;
let eventsFile: string;
let users: (() => number | null) | null = null;
const telemetry: Telemetry = { ...noopTelemetry, observeMemoryStoreUsers: (read) => void (users = read) };
const warnings: string[] = [];

beforeAll(async () => {
  const registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-max-users-'));
  eventsFile = path.join(tmp, 'events.jsonl');
  const warn = vi.spyOn(logger, 'warn').mockImplementation((message: string) => void warnings.push(message));
  try {
    gateway = await createGateway({
      registryDir: registry,
      modelName: TEST_MODEL_NAME,
      eventLogFile: eventsFile,
      eventLogFsync: 'never',
      modelPollMs: 0,
      rankingRefreshMs: 1e12,
      awaitSideEffects: true,
      servedLogFlushMs: 0,
      memoryMaxUsers: 1,
      telemetry,
    });
  } finally {
    warn.mockRestore();
  }
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const event = (userId: string, itemId = '1074638'): FeedbackEvent => ({
  userId,
  itemId,
  type: 'LIKE',
  value: null,
  requestId: null,
  timestamp: null,
  context: null,
});

/** The feedback records in the event log file, as [userId, itemId]. */
const logged = (): string[][] =>
  readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"kind":"feedback"'))
    .map((line) => JSON.parse(line) as { userId: string; itemId: string })
    .map((r) => [r.userId, r.itemId]);

describe('Gateway: RECGATE_MEMORY_MAX_USERS', () => {
  it('loads a model with more training users than the limit, says so, and reports the count', () => {
    const seeded = users!()!;
    expect(seeded).toBeGreaterThan(1);
    expect(warnings.some((w) => w.includes('at or past RECGATE_MEMORY_MAX_USERS (1)'))).toBe(true);
  });

  it('answers recommendations for an unknown user without storing the user', async () => {
    const before = users!()!;
    const scope = gateway.createRequestScope();
    const list = await gateway.recommendations(
      {
        userId: 'never-seen',
        sessionItemIds: [],
        surface: 'home',
        first: 5,
        after: null,
        filter: null,
        context: null,
      },
      scope,
    );
    expect(list.items.length).toBe(5);
    expect(users!()).toBe(before);
    expect(await gateway.user('never-seen', gateway.createRequestScope())).toBeNull();
  });

  it("refuses a new user's feedback and impressions with USER_LIMIT, logging nothing; a model user's still applies", async () => {
    const before = users!()!;
    expect(await gateway.user('1', gateway.createRequestScope())).not.toBeNull();
    const results = await gateway.recordFeedback(
      [event('1'), event('newcomer')],
      gateway.createRequestScope(),
    );
    expect(results[0]).toMatchObject({ accepted: true, applied: true, error: null });
    expect(results[1]).toEqual({
      accepted: false,
      applied: false,
      eventId: null,
      error: { code: 'USER_LIMIT', message: userLimitMessage(1), field: 'userId' },
    });
    const impressions = await gateway.recordImpressions(
      { requestId: 'r1', userId: 'newcomer', itemIds: ['1074638'] },
      gateway.createRequestScope(),
    );
    expect(impressions.error?.code).toBe('USER_LIMIT');
    expect(logged()).toEqual([['1', '1074638']]);
    expect(readFileSync(eventsFile, 'utf8')).not.toContain('newcomer');
    expect(users!()).toBe(before);
    expect(await gateway.user('newcomer', gateway.createRequestScope())).toBeNull();
  });
});
