--[[
  write-nflog: record a notification in the notification log, refusing stale writers.

  KEYS[1]  log entry  `<p>:<tenant>:nflog:{<gid>}:<f|r>:<receiver>`  hash seq, ts, firing, resolved,
           fence (highest fencing token accepted for this entry); fseq/pseq belong to mark-nflog-seq-1
  KEYS[2]  group meta `<p>:<tenant>:alert:group:meta:{<gid>}`         gets `flushed` = 1
  (one hash tag: one slot)

  ARGV[1] seq  ARGV[2] timestamp (ms)  ARGV[3] firing (JSON array)  ARGV[4] resolved (JSON array)
  ARGV[5] TTL (ms) = 2 x repeat_interval  ARGV[6] fencing token of the group lock, or "" (no lock held)

  Refuses (and changes nothing) when the token is lower than the highest recorded for this entry (the
  writer's lock expired and a newer holder wrote: Kleppmann's fencing, checked where the side effect is
  recorded), or when the stored entry's seq is not lower than ARGV[1] (this flush was logged already).
  An equal token is the same holder and passes; no token (memory mode, the merge after an outage) is
  not checked and leaves the recorded one. The fence is per entry (group half and receiver), not per
  group: each half is flushed under its own lock hold, and a newer token of the other half must not
  refuse this half's delivery-time write. It lives in the entry's hash, so it lives exactly as long as
  the entry it guards. Setting `flushed` on an existing meta hash tells upsert-groups-n.lua the group
  has flushed (no more "flush at once" for old alerts). Returns "ok", "stale-fence" or "stale-sequence".
]]
local seq = tonumber(ARGV[1])
local ttl = tonumber(ARGV[5])
local fence = tonumber(ARGV[6])
local cur = redis.call('HMGET', KEYS[1], 'fence', 'seq')
local highest = tonumber(cur[1] or '')
if fence and highest and fence < highest then return 'stale-fence' end
local curSeq = tonumber(cur[2] or '')
if curSeq and curSeq >= seq then return 'stale-sequence' end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'ts', ARGV[2], 'firing', ARGV[3], 'resolved', ARGV[4])
if fence and (not highest or fence > highest) then redis.call('HSET', KEYS[1], 'fence', ARGV[6]) end
redis.call('PEXPIRE', KEYS[1], ttl)
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], 'flushed', '1') end
return 'ok'
