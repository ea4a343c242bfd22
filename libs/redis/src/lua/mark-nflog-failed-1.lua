--[[
  mark-nflog-failed: record that a notification of a group half was given up (dead-lettered).

  KEYS[1]  log entry `<p>:<tenant>:nflog:{<gid>}:<f|r>:<receiver>`  hash; this script owns field `fseq`

  ARGV[1] seq of the given-up notification   ARGV[2] TTL (ms) = 2 x repeat_interval

  Keeps the highest given-up sequence in `fseq`, beside (never instead of) what the receiver was last
  told (`seq`, `ts`, `firing`, `resolved`, written by write-nflog.lua on delivery). The next flush takes
  a sequence above both, so a dead job id is never reused and the group is notified again. The key keeps
  the longer of its TTL and ARGV[2]; it never stays without one. Returns the stored `fseq`.
]]
local seq = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
if not seq or not ttl or ttl <= 0 then return redis.error_reply('mark-nflog-failed: bad arguments') end
local cur = tonumber(redis.call('HGET', KEYS[1], 'fseq') or '')
if not cur or seq > cur then
  redis.call('HSET', KEYS[1], 'fseq', ARGV[1])
  cur = seq
end
local left = redis.call('PTTL', KEYS[1])
if left < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return cur
