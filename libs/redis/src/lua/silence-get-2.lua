--[[
  silence-get: one silence of a tenant, or nil (unknown, or its retention ended).

  KEYS[1]  the tenant's silence index (zset id -> end of retention)
  KEYS[2]  the silence's key (same hash tag)
  ARGV[1] now (ms)  ARGV[2] the silence id
  Returns its value `<updatedAt>|<JSON>` or nil.
]]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return false end
return redis.call('GET', KEYS[2])
