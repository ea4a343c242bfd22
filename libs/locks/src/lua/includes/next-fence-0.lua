-- The next fencing token of the counter `key`, which then lives `ttl` ms without use. The counter starts
-- at the server's time in microseconds, so if it ever expires (or Redis restarts empty) the next token is
-- still larger than every token handed out before: nothing grows forever and tokens never go back. Holds
-- while fewer than one token is taken per microsecond and the clock does not jump back by more than `ttl`.
local function nextFence(key, ttl)
  if redis.call('EXISTS', key) == 0 then
    local t = redis.call('TIME')
    -- String concatenation, not arithmetic: Lua numbers would print a 16-digit value in exponent form.
    redis.call('SET', key, t[1] .. string.format('%06d', tonumber(t[2])))
  end
  local fence = redis.call('INCR', key)
  redis.call('PEXPIRE', key, ttl)
  return fence
end
