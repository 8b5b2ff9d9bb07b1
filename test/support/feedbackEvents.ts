import type { FeedbackEvent } from '../../src/services/serviceTypes.js';

/**
 * A CLICK of `userId` on `itemId` at server time (no value, request id or
 * context): the event the integration tests send when only its count matters.
 */
export const clickEvent = (userId: string, itemId: string): FeedbackEvent => ({
  userId,
  itemId,
  type: 'CLICK',
  value: null,
  requestId: null,
  timestamp: null,
  context: null,
});
