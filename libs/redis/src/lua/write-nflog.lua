--[[
  write-nflog: record a notification in the notification log, refusing stale writers.

  KEYS[1]  log entry  `<p>:<tenant>:nflog:{<gid>}:<f|r>:<receiver>`  hash seq, ts, firing, resolved
  KEYS[2]  fence      `<p>:<tenant>:nflog:{<gid>}:fence`              highest fencing token accepted
  KEYS[3]  group meta `<p>:<tenant>:alert:group:meta:{<gid>}`         gets `flushed` = 1
  (one hash tag: one slot)

  ARGV[1] seq  ARGV[2] timestamp (ms)  ARGV[3] firing (JSON array)  ARGV[4] resolved (JSON array)
  ARGV[5] TTL (ms) = 2 x repeat_interval  ARGV[6] fencing token of the group lock, or "" (no lock held)

  Refuses (and changes nothing) when the token is lower than the highest recorded for the group (the
  writer's lock expired and a newer holder wrote: Kleppmann's fencing, checked where the side effect is
  recorded), or when the stored entry's seq is not lower than ARGV[1] (this flush was logged already).
  An equal token is the same holder and passes. The fence key lives at least as long as the entries it
  guards. Setting `flushed` on an existing meta hash tells upsert-groups.lua the group has flushed (no
  more "flush at once" for old alerts). Returns "ok", "stale-fence" or "stale-sequence".
]]
local seq = tonumber(ARGV[1])
local ttl = tonumber(ARGV[5])
local fence = tonumber(ARGV[6])
local highest = tonumber(redis.call('GET', KEYS[2]) or '')
if fence and highest and fence < highest then return 'stale-fence' end
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '')
if cur and cur >= seq then return 'stale-sequence' end
if fence then
  if not highest or fence > highest then redis.call('SET', KEYS[2], ARGV[6], 'KEEPTTL') end
  if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'ts', ARGV[2], 'firing', ARGV[3], 'resolved', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl)
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('HSET', KEYS[3], 'flushed', '1') end
return 'ok'
