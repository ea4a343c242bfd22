--[[
  lock-extend: compare-and-pexpire, so only the current owner can keep a lock alive.

  KEYS[1]  lock key
  ARGV[1]  owner token
  ARGV[2]  new TTL (ms), counted from now

  Returns 1 when extended, 0 when the key is gone or held by another owner (the caller lost the lock).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
