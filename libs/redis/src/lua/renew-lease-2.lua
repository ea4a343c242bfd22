--[[
  renew-lease: extend a held lease (a long flush), only for the lease's current owner.

  KEYS[1]  leases  `<p>:due:lease:{b<n>}`  zset member -> lease expiry ms
  KEYS[2]  claims  `<p>:due:claim:{b<n>}`  hash member -> "<dueAt>|<owner>"

  ARGV[1] member  ARGV[2] owner  ARGV[3] new lease expiry (ms)
  Returns 1, or 0 when the lease was lost (another claimer took it after it lapsed, or it completed).
]]
local c = redis.call('HGET', KEYS[2], ARGV[1])
if not c or string.match(c, '^[^|]*|(.*)$') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
