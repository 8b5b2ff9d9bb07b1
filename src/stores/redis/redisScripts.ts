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
 * weights hash, 6 category last-seen hash, 7 vector string, 8 impressions hash.
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
  for i = 1, 8 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[2])) end
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
