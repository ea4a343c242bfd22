--[[
  complete-claim: end a lease and reschedule the group half, only for the lease's current owner.

  KEYS[1]  due bucket  `<p>:due:{b<n>}`        zset member -> due ms
  KEYS[2]  leases      `<p>:due:lease:{b<n>}`  zset member -> lease expiry ms
  KEYS[3]  claims      `<p>:due:claim:{b<n>}`  hash member -> "<dueAt>|<owner>"

  ARGV[1] member  ARGV[2] owner  ARGV[3] next due (ms) or "" (do not reschedule)
  ARGV[4] minimum TTL of the due bucket (ms), so a rescheduled member never sits in a key without TTL
  ARGV[5] (optional, may be '') the next group_interval tick when ARGV[3] parks the half beyond it: if
          ingest re-added the member meanwhile (an alert joined the half), it is rescheduled at this
          tick instead of the parked time
  ARGV[6] the lease marker's member (includes/lease-marker-0.lua), set again once the lease is gone

  With a next due time the member is (re)added at it, overriding a due time ingest set meanwhile (a new
  alert joining a flushed group waits for the next group_interval tick). Without one, the due index is
  left alone (ingest may have re-added the member: it flushes then).
  Returns 1, or 0 when the lease is not (any more) the owner's: nothing changes.
]]
--- @include "includes/lease-marker-0"

local c = redis.call('HGET', KEYS[3], ARGV[1])
if not c or string.match(c, '^[^|]*|(.*)$') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[3] ~= '' then
  local at = ARGV[3]
  if (ARGV[5] or '') ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[1]) then at = ARGV[5] end
  redis.call('ZADD', KEYS[1], at, ARGV[1])
  local ttl = tonumber(ARGV[4])
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
setLeaseMarker(KEYS[1], KEYS[2], ARGV[6])
return 1
