--[[
  fenced-set: the downstream side of fencing. A write is accepted only with a token at least as large as
  every token accepted before for the same resource, so a holder whose lock expired (paused, partitioned)
  is refused once a newer holder has written. Copy the first block into any script that records a side
  effect (e.g. the notification log) to check the token in the same atomic step as the write.

  KEYS[1]  fence key: highest token accepted so far (same {hash tag} as KEYS[2])
  KEYS[2]  key to write
  ARGV[1]  fencing token of the writer (decimal string)
  ARGV[2]  value
  ARGV[3]  TTL (ms) of both keys

  Returns 1 when written, 0 when refused (stale token).
]]
local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) < seen then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
