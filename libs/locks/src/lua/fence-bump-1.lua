--[[
  fence-bump: quorum mode, round 1 on each master — the next fencing token as this master sees it.
  The caller takes the maximum over a majority, then writes it back with fence-raise.

  KEYS[1]  fence counter key
  ARGV[1]  fence counter TTL (ms)

  Returns the incremented counter (seeded with the server time in microseconds, as in lock-acquire).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.format('%06d', tonumber(t[2])))
end
local fence = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return fence
