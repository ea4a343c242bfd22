-- The lease marker: a bucket's earliest lease expiry kept in its due index under a member no group
-- half has (`marker`, from keys.ts), so one ZRANGE of the due head tells a scheduler both when the
-- next half is due and when a lease lapses (a crashed claimer). claim-due and complete-claim, the only
-- writers of the leases, set it after every change; a due index with no lease has no marker.
-- The due key lives at least as long as the leases when the marker joins it (it may be all it holds).
local function setLeaseMarker(dueKey, leaseKey, marker)
  local head = redis.call('ZRANGE', leaseKey, 0, 0, 'WITHSCORES')
  if #head == 0 then
    redis.call('ZREM', dueKey, marker)
    return
  end
  if redis.call('ZADD', dueKey, head[2], marker) == 0 then return end -- moved: the key's TTL is set
  local ttl = redis.call('PTTL', leaseKey)
  if ttl > 0 and redis.call('PTTL', dueKey) < ttl then redis.call('PEXPIRE', dueKey, ttl) end
end
