/**
 * {@link takeToken} (tokenBucket.ts) as one Lua script, so refill and take
 * are one atomic step on the Redis server however many gateway replicas share
 * the bucket. The arithmetic is the same expressions in the same order on
 * IEEE doubles, so it matches the memory limiter exactly; tokens are stored
 * with `%.17g` (Lua's default `tostring` keeps only 14 digits).
 *
 * KEYS[1] the client's hash (`t` tokens, `u` updatedAt Unix ms).
 * ARGV[1] rps, ARGV[2] burst, ARGV[3] now (Unix ms, the caller's clock),
 * ARGV[4] key TTL in ms (time to refill from empty plus a margin: an expired
 * bucket is a full one).
 * Returns `{allowed (1|0), tokens after (string), retryAfterMs}`.
 */
export const TOKEN_BUCKET_LUA = `
local rps = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
if now > updated then
  tokens = math.min(burst, tokens + ((now - updated) * rps) / 1000)
  updated = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.max(1, math.ceil(((1 - tokens) * 1000) / rps - 1e-9))
end
local stored = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 't', stored, 'u', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {allowed, stored, retry}
`;
