--[[
  history-last: record a stalled attempt as a group's newest history entry unless the attempt's re-run
  already recorded its outcome there.

  KEYS[1]  the group's newest entry `<p>:<tenant>:history:{<tenant>}:last:<gid>` (string, JSON)

  ARGV[1] the entry (JSON)   ARGV[2] TTL (ms)   ARGV[3] its idempotency key   ARGV[4] its attempt number

  A stall is found by whichever node's stalled check runs first, and the job runs again at once on
  whichever node takes it: that node's outcome of the same attempt (delivered, retrying, failed) can be
  recorded before the stall is. The stall is then older news and must not replace it. Every other entry
  is written with a plain SET (redis-history.ts). Returns 1 when written, 0 when the newer outcome stays.
]]
local ttl, attempt = tonumber(ARGV[2]), tonumber(ARGV[4])
if not ttl or ttl <= 0 or not attempt then return redis.error_reply('history-last: bad arguments') end
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, e = pcall(cjson.decode, cur)
  if ok and type(e) == 'table' and e.idempotencyKey == ARGV[3] and e.outcome ~= 'stalled'
    and tonumber(e.attempt) and tonumber(e.attempt) >= attempt then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1
