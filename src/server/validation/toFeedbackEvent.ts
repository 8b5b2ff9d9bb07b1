import type { InteractionType } from '../../domain/interaction.js';
import type { FeedbackEvent } from '../../services/serviceTypes.js';
import { optionalDateTime } from './parseDateTime.js';
import { requireFiniteNumber } from './requireFiniteNumber.js';
import type { RequestContextArgument } from './toRequestContextInput.js';
import { toRequestContextInput } from './toRequestContextInput.js';

/** The GraphQL `FeedbackInput` as graphql-js hands it over (timestamps still RFC 3339). */
export interface FeedbackArgument {
  readonly userId: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly value?: number | null;
  readonly requestId?: string | null;
  readonly timestamp?: string | null;
  readonly context?: RequestContextArgument | null;
}

/**
 * Checks the shape of one feedback event (a finite value, RFC 3339 times, the
 * context) and converts it for the engine. Its ids are not checked again here:
 * the only caller, `recordFeedbackEvents`, has refused bad ones with the
 * engine's stricter `validateId` (INVALID_ID as data) before it calls this, and
 * the engine checks them once more. The engine checks the rest (rating range,
 * clock skew) and reports it per event.
 * @param path the input's path for messages, e.g. `input` or `inputs[3]`.
 * @throws PublicError BAD_USER_INPUT naming the field, e.g. `inputs[3].value`.
 */
export function toFeedbackEvent(input: FeedbackArgument, path: string): FeedbackEvent {
  return {
    userId: input.userId,
    itemId: input.itemId,
    type: input.type,
    value:
      input.value === null || input.value === undefined
        ? null
        : requireFiniteNumber(input.value, `${path}.value`),
    requestId: input.requestId ?? null,
    timestamp: optionalDateTime(input.timestamp, `${path}.timestamp`),
    context: toRequestContextInput(input.context, `${path}.context`),
  };
}
