--[[
  silence-snapshot: a tenant's silences and their version, read at once (one round trip, one version).

  KEYS[1]  the tenant's silence index (zset id -> end of retention)
  KEYS[2]  the tenant's version counter
  The silences' keys are ARGV[2] .. id: same hash tag as KEYS[1], so the script stays in one slot.

  ARGV[1] now (ms)  ARGV[2] silence key prefix  ARGV[3] most silences to read  ARGV[4] largest value (bytes)

  Drops ids whose retention ended; an id whose key is gone (expired by the server's clock first) is
  dropped too. Reads at most ARGV[3] silences, those kept longest first, and skips values larger than
  ARGV[4] (a tenant holds at most max_silences of bounded size: these guard against a corrupt set).
  Returns {version or "0", silences in the index, values skipped as too large, value...}.
]]
local now, limit, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not now or not limit or limit < 1 or not maxBytes then
  return redis.error_reply('ERR herald silence-snapshot: bad request')
end
local index, prefix = KEYS[1], ARGV[2]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
local total = redis.call('ZCARD', index)
local ids = redis.call('ZREVRANGE', index, 0, limit - 1)
local out = {redis.call('GET', KEYS[2]) or '0', total, 0}
local CHUNK = 500 -- MGET arguments per call (unpack has a stack limit)
for from = 1, #ids, CHUNK do
  local keys = {}
  for i = from, math.min(from + CHUNK - 1, #ids) do keys[#keys + 1] = prefix .. ids[i] end
  local values = redis.call('MGET', unpack(keys))
  for j = 1, #keys do
    local v = values[j]
    if not v then
      redis.call('ZREM', index, ids[from + j - 1])
    elseif #v > maxBytes then
      out[3] = out[3] + 1
    else
      out[#out + 1] = v
    end
  end
end
return out
