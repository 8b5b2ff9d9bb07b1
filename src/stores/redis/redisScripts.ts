/**
 * Lua scripts of {@link RedisFeatureStore}, registered with ioredis
 * `defineCommand` (EVALSHA, loaded on first use). Each runs atomically on the
 * server; all keys of one call share a hash tag, so they work on Redis Cluster.
 */

/**
 * Inserts a history entry by timestamp and trims the list.
 * KEYS[1] history list (most recent first). ARGV[1] encoded entry
 * (`<timestamp>:<json>`), ARGV[2] its timestamp (Unix ms), ARGV[3] history size.
 * The entry goes before the first stored entry that is not strictly more
 * recent (among equal timestamps the latest arrival comes first).
 */
export const HISTORY_INSERT_LUA = `
local ts = tonumber(ARGV[2])
local list = redis.call('LRANGE', KEYS[1], 0, -1)
local pivot = nil
for i = 1, #list do
  local t = tonumber(string.match(list[i], '^([^:]+):'))
  if t <= ts then pivot = list[i] break end
end
if pivot == nil then
  redis.call('RPUSH', KEYS[1], ARGV[1])
else
  redis.call('LINSERT', KEYS[1], 'BEFORE', pivot, ARGV[1])
end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
return 1
`;

/**
 * Raises hash fields to a time, never lowers them.
 * KEYS[1] hash (field → Unix ms as text). ARGV[1] the time; ARGV[2..] fields.
 */
export const HASH_MAX_LUA = `
local t = tonumber(ARGV[1])
for i = 2, #ARGV do
  local old = tonumber(redis.call('HGET', KEYS[1], ARGV[i]))
  if old == nil or t > old then redis.call('HSET', KEYS[1], ARGV[i], ARGV[1]) end
end
return 1
`;

/**
 * Counts impressions. KEYS[1] hash (item id → `<count>:<lastAt>`).
 * ARGV[1] time (Unix ms); ARGV[2..] item ids (a repeated id counts twice).
 */
export const IMPRESSIONS_LUA = `
local t = tonumber(ARGV[1])
for i = 2, #ARGV do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  local c, last = 0, ARGV[1]
  if old then
    local oc, oa = string.match(old, '^([^:]+):(.+)$')
    c = tonumber(oc)
    if tonumber(oa) > t then last = oa end
  end
  redis.call('HSET', KEYS[1], ARGV[i], string.format('%d:%s', c + 1, last))
end
return 1
`;

/**
 * Adds a weight to an item's decayed counters (the arithmetic of
 * {@link decayCounter}, done server-side so replicas never lose an update).
 * KEYS[1] counters: 24 bytes, little-endian float64 popularity, trend, updatedAt.
 * ARGV: weight, at (Unix ms), popularity half-life (ms), trend half-life (ms).
 */
export const COUNTER_INCREMENT_LUA = `
local w, at = tonumber(ARGV[1]), tonumber(ARGV[2])
local hp, ht = tonumber(ARGV[3]), tonumber(ARGV[4])
local function decay(v, dt, hl)
  if not (dt > 0) or hl == math.huge then return v end
  return v * math.pow(0.5, dt / hl)
end
local raw = redis.call('GET', KEYS[1])
local p, tr, u
if not raw then
  p, tr, u = w, w, at
else
  p, tr, u = struct.unpack('<ddd', raw)
  if at >= u then
    p = decay(p, at - u, hp) + w
    tr = decay(tr, at - u, ht) + w
    u = at
  else
    p = p + decay(w, u - at, hp)
    tr = tr + decay(w, u - at, ht)
  end
end
redis.call('SET', KEYS[1], struct.pack('<ddd', p, tr, u))
return 1
`;
