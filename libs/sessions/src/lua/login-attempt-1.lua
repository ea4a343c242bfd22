--[[
  login-attempt: a fixed-window failure counter shared by every node (per client address, or per
  (tenant, user, client address)).

  KEYS[1]  counter  <prefix>:login:ip:{<address>} or <prefix>:login:user:{<sha256(tenant, user, address)>}
  ARGV[1]  "hit" (count one attempt) or "undo" (the attempt succeeded: take it back)
  ARGV[2]  window (ms), set when the counter is created

  An attempt is counted before the password is checked (so parallel guesses cannot overtake the limit)
  and taken back when it succeeds, which leaves only failures counted.
  Returns {count, pttl ms}.
]]
if ARGV[1] == 'undo' then
  if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
    redis.call('DECR', KEYS[1])
  end
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('PTTL', KEYS[1])}
