/**
 * A retention time for messages: whole minutes from one minute up, else
 * seconds (at least 1), so a short TTL never reads "kept for 0 minutes".
 */
export function keptFor(ms: number): string {
  if (ms >= 60_000) {
    const minutes = Math.round(ms / 60_000);
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  const seconds = Math.max(1, Math.round(ms / 1000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
