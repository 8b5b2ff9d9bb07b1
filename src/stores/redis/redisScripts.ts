/**
 * Lua scripts of {@link RedisFeatureStore}, registered with ioredis
 * `defineCommand` (EVALSHA, loaded on first use). Each runs atomically on the
 * server; all keys of one call share a hash tag, so they work on Redis Cluster.
 */

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

/**
 * Applies one interaction to a user's keys as ONE script (atomic, one command
 * instead of a MULTI of ~10): inserts the history entry by timestamp (before
 * the first stored entry that is not strictly more recent, so among equal
 * timestamps the latest arrival comes first) and trims the list; adds the
 * item to seen (and dismissed); counts the interaction; adds the weight to
 * each category and raises (never lowers) its last-seen time; sets or
 * deletes the vector; refreshes the TTL.
 * KEYS: 1 meta hash, 2 history list, 3 seen set, 4 dismissed set, 5 category
 * weights hash, 6 category last-seen hash, 7 vector string, 8 impressions hash.
 * ARGV: 1 encoded entry (`<timestamp>:<json>`), 2 its timestamp (Unix ms),
 * 3 history size, 4 item id, 5 `1` when dismissive, 6 category weight,
 * 7 vector mode (`keep`, `del` or `set`), 8 vector bytes (for `set`),
 * 9 TTL in seconds or `` for none, 10.. categories (distinct; only when the
 * weight is positive and finite).
 */
export const APPLY_INTERACTION_LUA = `
local ts = tonumber(ARGV[2])
redis.call('HSETNX', KEYS[1], 'n', 0)
local list = redis.call('LRANGE', KEYS[2], 0, -1)
local pivot = nil
for i = 1, #list do
  local t = tonumber(string.match(list[i], '^([^:]+):'))
  if t <= ts then pivot = list[i] break end
end
if pivot == nil then
  redis.call('RPUSH', KEYS[2], ARGV[1])
else
  redis.call('LINSERT', KEYS[2], 'BEFORE', pivot, ARGV[1])
end
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('SADD', KEYS[3], ARGV[4])
if ARGV[5] == '1' then
  redis.call('SADD', KEYS[4], ARGV[4])
else
  redis.call('HINCRBY', KEYS[1], 'n', 1)
  for i = 10, #ARGV do
    redis.call('HINCRBYFLOAT', KEYS[5], ARGV[i], ARGV[6])
    local old = tonumber(redis.call('HGET', KEYS[6], ARGV[i]))
    if old == nil or ts > old then redis.call('HSET', KEYS[6], ARGV[i], ARGV[2]) end
  end
end
if ARGV[7] == 'del' then
  redis.call('DEL', KEYS[7])
elseif ARGV[7] == 'set' then
  redis.call('SET', KEYS[7], ARGV[8])
end
if ARGV[9] ~= '' then
  for i = 1, 8 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[9])) end
end
return 1
`;

/**
 * Applies several interactions of ONE user in order as one script: for each,
 * exactly the steps of {@link APPLY_INTERACTION_LUA} (history insert by
 * timestamp and trim, seen, dismissed or count and categories); then the
 * vector and the TTL once. The final state equals one APPLY_INTERACTION_LUA
 * call per interaction in order, the last one carrying the vector mode.
 * KEYS: as {@link APPLY_INTERACTION_LUA}.
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
  local list = redis.call('LRANGE', KEYS[2], 0, -1)
  local pivot = nil
  for i = 1, #list do
    local t = tonumber(string.match(list[i], '^([^:]+):'))
    if t <= ts then pivot = list[i] break end
  end
  if pivot == nil then
    redis.call('RPUSH', KEYS[2], enc)
  else
    redis.call('LINSERT', KEYS[2], 'BEFORE', pivot, enc)
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
  for i = 1, 8 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[2])) end
end
return 1
`;

/**
 * Adds weights to several items' decayed counters in order, as one script:
 * KEYS[i] gets ARGV[2 + 2i − 1] (weight) at ARGV[2 + 2i] (Unix ms), with the
 * arithmetic of {@link COUNTER_INCREMENT_LUA}; a key repeated is updated
 * twice, in order. ARGV[1], ARGV[2]: popularity and trend half-lives (ms).
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
