-- Included by silence-write-n.lua and silence-merge-n.lua (takes no keys of its own: they pass theirs).
-- Bumps the tenant's silence version and lets the index and the counter expire an hour after the last
-- silence's end of retention, so a tenant whose silences are all gone leaves no key behind. A new
-- counter starts at the server's time in microseconds: after it expired (or Redis restarted empty) the
-- next version is still larger than every version handed out before, so a node's cache never mistakes
-- new contents for ones it has seen (holds below one write per microsecond).
local function bumpSilenceVersion(index, version, now)
  if redis.call('EXISTS', version) == 0 then
    local t = redis.call('TIME')
    -- String concatenation, not arithmetic: Lua would print a 16-digit number in exponent form.
    redis.call('SET', version, t[1] .. string.format('%06d', tonumber(t[2])))
  end
  local v = redis.call('INCR', version)
  local keep = now
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  if last[2] and tonumber(last[2]) > keep then keep = tonumber(last[2]) end
  keep = string.format('%d', keep + 3600000)
  redis.call('PEXPIREAT', version, keep)
  if last[2] then redis.call('PEXPIREAT', index, keep) end
  return v
end
