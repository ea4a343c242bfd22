--[[
  delete-group: forgets one group of one tenant (admin DELETE /api/v1/groups/:id).

  KEYS[1]  tenant group index zset      KEYS[2..4]  firing, recovery, meta hashes ({groupId} tag)
  KEYS[5]  the group's due-index bucket   KEYS[6]  the tenant usage hash (see upsert-groups)
  ARGV[1]  groupId   ARGV[2] due member of the firing half   ARGV[3] due member of the recovery half

  Returns 1 when the group existed (its meta hash), else 0. One Redis: the keys span slots; a cluster:
  the index and usage shards of the group's bucket, so one slot (RedisKeys.groupScriptKeys).
]]
local existed = redis.call('EXISTS', KEYS[4])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[2], ARGV[3])
-- The group's alerts leave the tenant's count (when it has count limits).
local counted = tonumber(redis.call('HGET', KEYS[6], ARGV[1]))
if counted then
  redis.call('HINCRBY', KEYS[6], 'n', -counted)
  redis.call('HDEL', KEYS[6], ARGV[1])
end
return existed
