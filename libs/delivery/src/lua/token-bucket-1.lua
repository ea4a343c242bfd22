--[[
  Token bucket for a receiver's send rate (one key: single-slot on a Cluster).
  KEYS[1]  bucket hash: t = tokens (float), at = last refill (epoch ms)
  ARGV[1]  max tokens (burst)      ARGV[2] duration ms for max tokens      ARGV[3] now (epoch ms)
  Returns  0 when a token was taken, else the ms to wait for the next one.
  The key expires after two refill periods of idleness, so idle receivers leave nothing behind.
]]
local max = tonumber(ARGV[1])
local duration = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local rate = max / duration
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(b[1]) or max
local at = tonumber(b[2]) or now
if now > at then
  tokens = math.min(max, tokens + (now - at) * rate)
  at = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(duration * 2))
return wait
