import type { InteractionType } from './interaction.js';

/**
 * Records the gateway appends to its `EventLog`. They are the training data of
 * the next model and the exposure log of experiments, so their shape is
 * stable: add fields, never rename them. Times are Unix ms.
 */
export type EventRecord = FeedbackRecord | ImpressionRecord | ServedListRecord;

/** One accepted feedback event. */
export interface FeedbackRecord {
  readonly kind: 'feedback';
  readonly eventId: string;
  readonly userId: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly value: number | null;
  /** The `requestId` of the list the item came from, for attribution. */
  readonly requestId: string | null;
  readonly timestamp: number;
  /** When the gateway received it. */
  readonly receivedAt: number;
  readonly context: Readonly<Record<string, unknown>> | null;
}

/** Items a client reports it actually showed from a served list. */
export interface ImpressionRecord {
  readonly kind: 'impression';
  readonly eventId: string;
  readonly requestId: string;
  readonly userId: string | null;
  readonly itemIds: readonly string[];
  readonly timestamp: number;
}

/** One served page: what was shown, why, and under which model and variants. */
export interface ServedListRecord {
  readonly kind: 'served';
  readonly eventId: string;
  /** The list's own id (`RecommendationList.requestId`), fresh per list. */
  readonly requestId: string;
  /** The HTTP request id (`x-request-id`) the page was served in, for tracing; absent when unknown. */
  readonly httpRequestId?: string;
  readonly userId: string | null;
  readonly surface: string;
  readonly timestamp: number;
  readonly modelVersion: string;
  /** Experiment id → variant id. */
  readonly variants: Readonly<Record<string, string>>;
  readonly items: readonly {
    readonly itemId: string;
    readonly rank: number;
    readonly score: number;
    readonly sources: readonly string[];
    /** The ranker's input row for this item, in manifest feature order (null if not ranked). */
    readonly features: readonly number[] | null;
  }[];
}
