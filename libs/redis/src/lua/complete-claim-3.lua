--[[
  complete-claim: end a lease and reschedule the group half, only for the lease's current owner.

  KEYS[1]  due bucket  `<p>:due:{b<n>}`        zset member -> due ms
  KEYS[2]  leases      `<p>:due:lease:{b<n>}`  zset member -> lease expiry ms
  KEYS[3]  claims      `<p>:due:claim:{b<n>}`  hash member -> "<dueAt>|<owner>"

  ARGV[1] member  ARGV[2] owner  ARGV[3] next due (ms) or "" (do not reschedule)
  ARGV[4] minimum TTL of the due bucket (ms), so a rescheduled member never sits in a key without TTL

  With a next due time the member is (re)added at it, overriding a due time ingest set meanwhile (a new
  alert joining a flushed group waits for the next group_interval tick). Without one, the due index is
  left alone (ingest may have re-added the member: it flushes then).
  Returns 1, or 0 when the lease is not (any more) the owner's: nothing changes.
]]
local c = redis.call('HGET', KEYS[3], ARGV[1])
if not c or string.match(c, '^[^|]*|(.*)$') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  local ttl = tonumber(ARGV[4])
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 1
