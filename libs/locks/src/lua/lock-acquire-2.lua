--[[
  lock-acquire: take a lock if it is free and hand out the next fencing token for the resource.

  KEYS[1]  lock key            (string: owner token, expires after the lock TTL)
  KEYS[2]  fence counter key   (same {hash tag} as KEYS[1]; expires after ARGV[3] without use)
  ARGV[1]  owner token (random, unique per acquisition)
  ARGV[2]  lock TTL (ms)
  ARGV[3]  fence counter TTL (ms), much longer than any hold

  Returns the fencing token (integer > 0) when the lock was taken, 0 when another owner holds it.

  The counter starts at the server's time in microseconds, so if it ever expires (or Redis restarts
  empty) the next token is still larger than every token handed out before: nothing grows forever and
  tokens never go back. Holds while fewer than one lock is taken per microsecond and the clock does not
  jump back by more than the counter TTL.
]]
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  -- String concatenation, not arithmetic: Lua numbers would print a 16-digit value in exponent form.
  redis.call('SET', KEYS[2], t[1] .. string.format('%06d', tonumber(t[2])))
end
local fence = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return fence
