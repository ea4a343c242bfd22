--[[
  remove-alerts: after a resolved notification, drops the notified resolved alerts from a group and
  deletes the group when nothing is left.

  KEYS[1]  tenant group index zset      KEYS[2..4]  firing, recovery, meta hashes ({groupId} tag)
  KEYS[5]  the group's due-index bucket   KEYS[6]  the tenant usage hash (see upsert-groups)
  ARGV[1]  groupId   ARGV[2] due member of the firing half   ARGV[3] due member of the recovery half
  ARGV[4]  now (ms)  ARGV[5] delete the group if empty (0|1)  ARGV[6..] fingerprints

  A fingerprint is removed from the recovery half, and from the firing half only when its stored
  endsAt is not after now (a timed-out alert); an alert that fired again since is kept.
  A group the usage hash counts (its tenant has count limits) has the removed alerts subtracted, and its
  whole count when the group is deleted.
  Returns the number of alerts removed. One Redis: the keys span slots; a cluster: the index and usage
  shards of the group's bucket, so one slot (RedisKeys.groupScriptKeys).
]]
local now = tonumber(ARGV[4])
local removed = 0
for i = 6, #ARGV do
  local fp = ARGV[i]
  removed = removed + redis.call('HDEL', KEYS[3], fp)
  local v = redis.call('HGET', KEYS[2], fp)
  if v then
    local e = tonumber(string.match(v, '^%d+:(%d+):'))
    if e and e <= now then removed = removed + redis.call('HDEL', KEYS[2], fp) end
  end
end
local counted = tonumber(redis.call('HGET', KEYS[6], ARGV[1]))
if ARGV[5] == '1' and redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[4])
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[2], ARGV[3])
  if counted then
    redis.call('HINCRBY', KEYS[6], 'n', -counted)
    redis.call('HDEL', KEYS[6], ARGV[1])
  end
elseif counted and removed > 0 then
  redis.call('HINCRBY', KEYS[6], 'n', -removed)
  redis.call('HINCRBY', KEYS[6], ARGV[1], -removed)
end
return removed
