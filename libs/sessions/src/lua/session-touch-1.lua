--[[
  session-touch: validate and slide a session in one step, so two nodes renewing the same session
  cannot resurrect one that expired or was revoked between a read and a write.

  KEYS[1]  session hash  <prefix>:<tenant>:session:{<sha256(token)>}
  ARGV[1]  now (ms, the caller's clock: tests drive it with a fake clock)
  ARGV[2]  idle timeout (ms)

  Returns the renewed record as HGETALL's flat field/value array, or false when the session does not
  exist or is past its idle or absolute expiry (an expired one is deleted).
]]
local f = redis.call('HMGET', KEYS[1], 'idle', 'abs')
if not f[1] or not f[2] then return false end
local now = tonumber(ARGV[1])
local idle = tonumber(f[1])
local abs = tonumber(f[2])
if now >= idle or now >= abs then
  redis.call('DEL', KEYS[1])
  return false
end
local nextIdle = math.min(now + tonumber(ARGV[2]), abs)
redis.call('HSET', KEYS[1], 'seen', ARGV[1], 'idle', string.format('%d', nextIdle))
redis.call('PEXPIRE', KEYS[1], nextIdle - now)
return redis.call('HGETALL', KEYS[1])
