/**
 * Lua scripts of {@link RedisFeatureStore}, registered with ioredis
 * `defineCommand` (EVALSHA, loaded on first use). Each runs atomically on the
 * server; all keys of one call share a hash tag, so they work on Redis Cluster.
 */

/**
 * Largest impressions hash {@link IMPRESSIONS_LUA} migrates (builds the sorted
 * set of) in one call; a larger one, which only the version without a cap
 * could write, is deleted instead, so that one script never blocks Redis for
 * long (5,000 items: ~25 ms on a loaded 2-core host).
 */
export const IMPRESSIONS_MIGRATION_MAX_ITEMS = 5000;

/** Most values one Lua `unpack` hands to a command (Lua's C stack holds ~8000). */
const LUA_CHUNK = 1000;

/**
 * Counts impressions and keeps the user's most recently shown items.
 * KEYS[1] hash (item id → `<count>:<lastAt>`), KEYS[2] sorted set (item id,
 * score lastAt: the same items as the hash, ordered for the trim).
 * ARGV[1] time (Unix ms); ARGV[2] most items kept (an integer ≥ 1);
 * ARGV[3..] item ids (a repeated id counts twice).
 *
 * 1. Migration: when the two keys disagree in size (a hash written before the
 *    sorted set existed, or one key lost), the sorted set is rebuilt from the
 *    hash's lastAt values, so old users are capped too; but a hash of more
 *    than {@link IMPRESSIONS_MIGRATION_MAX_ITEMS} items is deleted with the
 *    sorted set instead (the user starts afresh): rebuilding one blocks Redis
 *    for its whole length (~47 ms for 10k items, ~9.5 s for 1M, measured on a
 *    loaded 2-core host: other clients then get BUSY), and only users of the
 *    version without a cap can have such a hash.
 * 2. Each item: count + 1, lastAt = max(stored, time), in both keys.
 * 3. Trim: while the sorted set holds more than ARGV[2] items, the lowest
 *    ranks (oldest lastAt; equal scores by member bytes, smallest first, as
 *    FeatureStore.recordImpressions specifies) leave both keys, in chunks of
 *    {@link LUA_CHUNK} so `unpack` stays within Lua's stack.
 */
export const IMPRESSIONS_LUA = `
local t = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local held = redis.call('HLEN', KEYS[1])
if held > ${IMPRESSIONS_MIGRATION_MAX_ITEMS} and held ~= redis.call('ZCARD', KEYS[2]) then
  redis.call('UNLINK', KEYS[1], KEYS[2])
elseif held ~= redis.call('ZCARD', KEYS[2]) then
  redis.call('DEL', KEYS[2])
  local all = redis.call('HGETALL', KEYS[1])
  local args = {}
  for i = 1, #all, 2 do
    args[#args + 1] = string.match(all[i + 1], '^[^:]+:(.+)$')
    args[#args + 1] = all[i]
    if #args >= ${2 * LUA_CHUNK} then
      redis.call('ZADD', KEYS[2], unpack(args))
      args = {}
    end
  end
  if #args > 0 then redis.call('ZADD', KEYS[2], unpack(args)) end
end
for i = 3, #ARGV do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  local c, last = 0, ARGV[1]
  if old then
    local oc, oa = string.match(old, '^([^:]+):(.+)$')
    c = tonumber(oc)
    if tonumber(oa) > t then last = oa end
  end
  redis.call('HSET', KEYS[1], ARGV[i], string.format('%d:%s', c + 1, last))
  redis.call('ZADD', KEYS[2], last, ARGV[i])
end
local over = redis.call('ZCARD', KEYS[2]) - cap
while over > 0 do
  local n = math.min(over, ${LUA_CHUNK})
  local oldest = redis.call('ZRANGE', KEYS[2], 0, n - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - 1)
  redis.call('HDEL', KEYS[1], unpack(oldest))
  over = over - n
end
return 1
`;

/**
 * Applies interactions of ONE user in order as one script (atomic, one
 * command instead of a MULTI of ~10 per interaction). For each: inserts the
 * history entry by timestamp (before the first stored entry that is not
 * strictly more recent, so among equal timestamps the latest arrival comes
 * first) and trims the list (the common case, an entry not older than the
 * newest stored one, is one LINDEX and an LPUSH, without reading the list);
 * adds the item to seen (and dismissed); counts the interaction; adds the
 * weight to each category and raises (never
 * lowers) its last-seen time. Then, once: sets or deletes the vector and
 * refreshes the TTL. A single interaction is the case N = 1.
 * KEYS: 1 meta hash, 2 history list, 3 seen set, 4 dismissed set, 5 category
 * weights hash, 6 category last-seen hash, 7 vector string, 8 impressions
 * hash, 9 impressions sorted set (the last two only get the TTL here).
 * ARGV: 1 history size, 2 TTL in seconds or ``, 3 vector mode (`keep`, `del`,
 * `set`), 4 vector bytes (for `set`), 5 number of interactions N; then per
 * interaction: encoded entry, its timestamp, item id, `1` when dismissive,
 * category weight, number of categories C, then the C categories.
 */
export const APPLY_INTERACTIONS_LUA = `
local hsize = tonumber(ARGV[1])
redis.call('HSETNX', KEYS[1], 'n', 0)
local pos = 6
for e = 1, tonumber(ARGV[5]) do
  local enc, tsArg, item, dis, weight = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2], ARGV[pos + 3], ARGV[pos + 4]
  local ncat = tonumber(ARGV[pos + 5])
  local ts = tonumber(tsArg)
  local head = redis.call('LINDEX', KEYS[2], 0)
  if head and tonumber(string.match(head, '^([^:]+):')) <= ts then
    redis.call('LPUSH', KEYS[2], enc)
  else
    local list = redis.call('LRANGE', KEYS[2], 0, -1)
    local pivot = nil
    for i = 2, #list do
      local t = tonumber(string.match(list[i], '^([^:]+):'))
      if t <= ts then pivot = list[i] break end
    end
    if pivot == nil then
      redis.call('RPUSH', KEYS[2], enc)
    else
      redis.call('LINSERT', KEYS[2], 'BEFORE', pivot, enc)
    end
  end
  redis.call('LTRIM', KEYS[2], 0, hsize - 1)
  redis.call('SADD', KEYS[3], item)
  if dis == '1' then
    redis.call('SADD', KEYS[4], item)
  else
    redis.call('HINCRBY', KEYS[1], 'n', 1)
    for i = pos + 6, pos + 5 + ncat do
      redis.call('HINCRBYFLOAT', KEYS[5], ARGV[i], weight)
      local old = tonumber(redis.call('HGET', KEYS[6], ARGV[i]))
      if old == nil or ts > old then redis.call('HSET', KEYS[6], ARGV[i], tsArg) end
    end
  end
  pos = pos + 6 + ncat
end
if ARGV[3] == 'del' then
  redis.call('DEL', KEYS[7])
elseif ARGV[3] == 'set' then
  redis.call('SET', KEYS[7], ARGV[4])
end
if ARGV[2] ~= '' then
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[2])) end
end
return 1
`;

/**
 * Adds weights to items' decayed counters in order, as one script (the
 * arithmetic of {@link decayCounter}, done server-side so replicas never lose
 * an update): KEYS[i] (24 bytes, little-endian float64 popularity, trend,
 * updatedAt) gets ARGV[2 + 2i − 1] (weight) at ARGV[2 + 2i] (Unix ms); a key
 * repeated is updated twice, in order. One increment is the case of one key. ARGV[1], ARGV[2]: popularity and trend half-lives (ms).
 * Every key is in the `{items}` slot.
 */
export const COUNTER_INCREMENTS_LUA = `
local hp, ht = tonumber(ARGV[1]), tonumber(ARGV[2])
local function decay(v, dt, hl)
  if not (dt > 0) or hl == math.huge then return v end
  return v * math.pow(0.5, dt / hl)
end
for k = 1, #KEYS do
  local w, at = tonumber(ARGV[1 + 2 * k]), tonumber(ARGV[2 + 2 * k])
  local raw = redis.call('GET', KEYS[k])
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
  redis.call('SET', KEYS[k], struct.pack('<ddd', p, tr, u))
end
return 1
`;
