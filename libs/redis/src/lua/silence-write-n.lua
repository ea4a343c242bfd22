--[[
  silence-write: applies one planned silence write of a tenant atomically (all of it or nothing).

  KEYS[1]       the tenant's silence index  `<p>:<tenant>:silences:{<tenant>}:index` (zset id -> end of retention)
  KEYS[2]       the tenant's version counter `…:version`
  KEYS[3 ..]    the written silences' keys `…:s:<id>`, in the order of ARGV, then the expected silence's
                key when it is not one of them (one hash tag: one slot)

  ARGV[1] now (ms)  ARGV[2] max silences (0: no limit)
  ARGV[3] KEYS index of the expected silence (0: none)  ARGV[4] its id  ARGV[5] its updatedAt (as written)
  then per silence (3): id, end of retention (endsAt + retention, ms), value `<updatedAt>|<JSON>`

  Drops ids whose retention ended (their keys expired by PEXPIREAT), then refuses with {0} when the
  expected silence is absent or its updatedAt differs (optimistic concurrency) or when a written id
  other than the expected one is stored already (a create never overwrites), with {2} when the write
  adds ids and the count after it would exceed the limit (expired silences within retention count, as
  Alertmanager's --silences.max-silences). Otherwise writes every silence with its expiry, bumps the
  version and returns {1, version}. A silence already past retention is removed rather than stored.
]]
local now = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local expectAt = tonumber(ARGV[3])
local n = (#ARGV - 5) / 3
if not now or not max or not expectAt or n < 1 or n % 1 ~= 0 or #KEYS < 2 + n then
  return redis.error_reply('ERR herald silence-write: bad request')
end
local index = KEYS[1]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])

if expectAt > 0 then
  local key = KEYS[expectAt]
  if not key or expectAt < 3 then return redis.error_reply('ERR herald silence-write: bad expect') end
  if not redis.call('ZSCORE', index, ARGV[4]) then return {0} end
  local cur = redis.call('GET', key)
  if not cur or string.match(cur, '^([^|]*)|') ~= ARGV[5] then return {0} end
end

local adds, seen = 0, {}
for i = 0, n - 1 do
  local id = ARGV[6 + i * 3]
  if not seen[id] then
    seen[id] = true
    if not redis.call('ZSCORE', index, id) then
      adds = adds + 1
    elseif expectAt == 0 or id ~= ARGV[4] then
      return {0} -- only the expected silence may change: a create never overwrites another one
    end
  end
end
if max > 0 and adds > 0 and redis.call('ZCARD', index) + adds > max then return {2} end

for i = 0, n - 1 do
  local id, exp, value = ARGV[6 + i * 3], ARGV[7 + i * 3], ARGV[8 + i * 3]
  local key = KEYS[3 + i]
  if tonumber(exp) > now then
    redis.call('SET', key, value, 'PXAT', exp)
    redis.call('ZADD', index, exp, id)
  else
    redis.call('DEL', key)
    redis.call('ZREM', index, id)
  end
end

--- @include "silence-bump-0"

return {1, bumpSilenceVersion(index, KEYS[2], now)}
