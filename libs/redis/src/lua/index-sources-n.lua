--[[
  index-sources: backfills the inhibition index from one group's stored firing alerts (after a config
  change brought new inhibit rules, whose index would otherwise fill only as sources are re-sent).

  KEYS[1]        the group's firing hash (fingerprint -> "<startsAt>:<endsAt>:<timeout>:<updatedAt>|<body>")
  KEYS[2 ..]     inhibition source lists (zset fingerprint -> endsAt)
  ARGV[1] now (ms), then per entry (2): fingerprint, KEYS index of a source list

  The alert's endsAt is read here, under the script's atomicity, so a source that resolved after the node
  read the group is not listed again as firing. Returns the number of entries listed.
]]
local now = tonumber(ARGV[1])
if not now or (#ARGV - 1) % 2 ~= 0 then return redis.error_reply('ERR herald index-sources: bad request') end
local STEP = 600000
local listed = 0
local touched = {}
for i = 2, #ARGV, 2 do
  local fp, key = ARGV[i], KEYS[tonumber(ARGV[i + 1]) or 0]
  if not key or tonumber(ARGV[i + 1]) < 2 then return redis.error_reply('ERR herald index-sources: bad entry') end
  local v = redis.call('HGET', KEYS[1], fp)
  local e = v and tonumber(string.match(v, '^%-?%d+:(%-?%d+):'))
  if e and e > now then
    redis.call('ZADD', key, string.format('%d', e), fp)
    listed = listed + 1
    if (touched[key] or 0) < e then touched[key] = e end
  end
end
for key, maxEnd in pairs(touched) do
  if redis.call('PTTL', key) < maxEnd - now then redis.call('PEXPIRE', key, maxEnd - now + STEP) end
end
return listed
