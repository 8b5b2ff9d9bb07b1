/** Deepest `ItemInput.attributes` accepted: the object itself is depth 1. */
export const MAX_ATTRIBUTES_DEPTH = 10;
/** Largest `ItemInput.attributes` accepted, serialized as JSON, in bytes (64 KiB). */
export const MAX_ATTRIBUTES_BYTES = 64 * 1024;

/**
 * Why an item's `attributes` cannot be stored, or null when they can: nested
 * deeper than {@link MAX_ATTRIBUTES_DEPTH} or larger than
 * {@link MAX_ATTRIBUTES_BYTES} as JSON. The depth is measured without
 * recursion, so a pathological value cannot overflow the stack here (nor,
 * once refused, when the item is later serialized for a client).
 * @returns a phrase after "must", e.g. "be nested at most 10 levels deep".
 */
export function attributesProblem(attributes: Readonly<Record<string, unknown>>): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: attributes, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_ATTRIBUTES_DEPTH) return `be nested at most ${MAX_ATTRIBUTES_DEPTH} levels deep`;
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  if (Buffer.byteLength(JSON.stringify(attributes), 'utf8') > MAX_ATTRIBUTES_BYTES) {
    return `be at most ${MAX_ATTRIBUTES_BYTES / 1024} KiB as JSON`;
  }
  return null;
}
