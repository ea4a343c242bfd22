--[[
  fence-raise: quorum mode, round 2 on each master — raise the counter to the chosen token so that any
  later majority (which overlaps this one) sees it and hands out a larger token.

  KEYS[1]  fence counter key
  ARGV[1]  chosen token (decimal string)
  ARGV[2]  fence counter TTL (ms)

  Returns 1.
]]
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
