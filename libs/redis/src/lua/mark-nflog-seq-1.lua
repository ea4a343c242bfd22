--[[
  mark-nflog-seq: raise a sequence mark of a group half's notification log.

  KEYS[1]  log entry `<p>:<tenant>:nflog:{<gid>}:<f|r>:<receiver>`  hash; this script owns `fseq`, `pseq`

  ARGV[1] field: `fseq` (the highest sequence given up — dead-lettered) or `pseq` (the highest sequence
          enqueued during a Redis outage and merged here, not yet known delivered)
  ARGV[2] seq   ARGV[3] TTL (ms) = 2 x repeat_interval

  The marks sit beside (never instead of) what the receiver was last told (`seq`, `ts`, `firing`,
  `resolved`, written by write-nflog-2.lua on delivery). The next flush takes a sequence above `seq` and
  `fseq` (a dead job id is never reused), or `pseq` when that is higher still (it finds the queued job).
  A mark only goes up. The key keeps the longer of its TTL and ARGV[3]; it never stays without one.
  Returns the stored mark.
]]
local field = ARGV[1]
local seq = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
if (field ~= 'fseq' and field ~= 'pseq') or not seq or not ttl or ttl <= 0 then
  return redis.error_reply('mark-nflog-seq: bad arguments')
end
local cur = tonumber(redis.call('HGET', KEYS[1], field) or '')
if not cur or seq > cur then
  redis.call('HSET', KEYS[1], field, ARGV[2])
  cur = seq
end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return cur
