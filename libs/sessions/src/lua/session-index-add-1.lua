--[[
  session-index-add: registers a session in its tenant's index and prunes the index.

  KEYS[1]  tenant session index zset  <prefix>:<tenant>:sessions  (member "<id>:<sha256(token)>",
           score = absolute expiry ms)
  ARGV[1]  now (ms)   ARGV[2] member   ARGV[3] absolute expiry (ms)   ARGV[4] ttl (ms) the index needs

  The index lives as long as its longest-lived session and no longer (PTTL only ever raised), so it
  never grows without bound: entries past their absolute expiry are dropped on every login.
  Returns the number of pruned entries.
]]
local pruned = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local ttl = tonumber(ARGV[4])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return pruned
