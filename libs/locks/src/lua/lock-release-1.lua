--[[
  lock-release: compare-and-delete, so a holder whose lock expired cannot free someone else's lock.

  KEYS[1]  lock key
  ARGV[1]  owner token

  Returns 1 when released, 0 when the key is gone or held by another owner.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
