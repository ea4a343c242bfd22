--[[
  silence-merge: copies silences written during a Redis outage into the tenant's set (Alertmanager's
  state merge: a silence is written when Redis has none with its id or an older updatedAt; a newer
  copy in Redis wins). The limit is not applied: these silences were accepted already, and nothing
  accepted may be lost.

  KEYS[1]       the tenant's silence index (zset id -> end of retention)
  KEYS[2]       the tenant's version counter
  KEYS[3 ..]    the silences' keys, in the order of ARGV (one hash tag: one slot)

  ARGV[1] now (ms), then per silence (4): id, updatedAt, end of retention (ms), value `<updatedAt>|<JSON>`
  Returns {written, version}; the version is bumped only when something was written (else 0).
]]
local now = tonumber(ARGV[1])
local n = (#ARGV - 1) / 4
if not now or n % 1 ~= 0 or #KEYS ~= 2 + n then
  return redis.error_reply('ERR herald silence-merge: bad request')
end
local index = KEYS[1]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
local written = 0
for i = 0, n - 1 do
  local id, updatedAt, exp, value = ARGV[2 + i * 4], tonumber(ARGV[3 + i * 4]), ARGV[4 + i * 4], ARGV[5 + i * 4]
  local key = KEYS[3 + i]
  if tonumber(exp) > now then
    local cur = redis.call('ZSCORE', index, id) and redis.call('GET', key)
    local curAt = cur and tonumber(string.match(cur, '^([^|]*)|'))
    if not curAt or curAt < updatedAt then
      redis.call('SET', key, value, 'PXAT', exp)
      redis.call('ZADD', index, exp, id)
      written = written + 1
    end
  end
end
if written == 0 then return {0, 0} end

--- @include "silence-bump-0"

return {written, bumpSilenceVersion(index, KEYS[2], now)}
