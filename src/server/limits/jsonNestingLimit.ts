import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The deepest JSON request body accepted, in nested arrays and objects (the body itself is level 1). */
export const MAX_JSON_NESTING = 64;

/** An error body-parser passes on to httpErrorHandler with this status and `type`. */
function bodyError(status: number, type: string, message: string, limit?: number): Error {
  return Object.assign(new Error(message), { status, type, ...(limit !== undefined && { limit }) });
}

/**
 * The `verify` hook of `express.json`: runs on the raw (inflated) body before
 * `JSON.parse` and refuses, without parsing,
 * - a body in another charset than UTF-8 (RFC 8259 §8.1), or declared UTF-8
 *   but not valid UTF-8 (Node's `buffer.isUtf8`): HTTP 415, type
 *   `charset.unsupported` (body-parser's own type for it). Decoding would
 *   turn each bad byte into U+FFFD, so two different ids would become one;

 * - a body whose arrays and objects nest deeper than `maxDepth`: HTTP 400,
 *   type `entity.too.deep`. `JSON.parse` of 2 MB of `[[[[…]]]]` takes 0.4 s
 *   on the project's 2-core machine, and nothing recgate accepts nests that
 *   deep (an operation's variables, with `ItemInput.attributes` at most 10
 *   levels, fit in about 16).
 *
 * One pass over the bytes, skipping strings (escapes included); UTF-8
 * continuation bytes are never ASCII, so multi-byte characters cannot be
 * mistaken for brackets. About 6 ms per MB.
 * @param maxDepth positive integer. @default MAX_JSON_NESTING (64)
 * @throws Error with `status` and `type` (see above), which body-parser forwards to express's error handler.
 */
export function jsonNestingLimit(
  maxDepth: number = MAX_JSON_NESTING,
): (req: IncomingMessage, res: ServerResponse, body: Buffer, encoding: string) => void {
  return (_req, _res, body, encoding) => {
    if (encoding.toLowerCase() !== 'utf-8') {
      throw bodyError(415, 'charset.unsupported', `unsupported charset "${encoding.toUpperCase()}"`);
    }
    if (!isUtf8(body)) throw bodyError(415, 'charset.unsupported', 'the body is not valid UTF-8');
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c /* \ */) escaped = true;
        else if (c === 0x22 /* " */) inString = false;
      } else if (c === 0x22) {
        inString = true;
      } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
        depth += 1;
        if (depth > maxDepth) {
          throw bodyError(400, 'entity.too.deep', `JSON nested more than ${maxDepth} levels deep`, maxDepth);
        }
      } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
        depth -= 1;
      }
    }
  };
}
