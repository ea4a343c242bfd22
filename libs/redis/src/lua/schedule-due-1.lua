--[[
  schedule-due: put (or move) a group half on the due index.

  KEYS[1]  due bucket `<p>:due:{b<n>}`  zset member -> due ms
  ARGV[1] due (ms)  ARGV[2] member  ARGV[3] minimum TTL of the bucket (ms)
  Returns 1.
]]
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
