--[[
  upsert-groups: one ingest request (one tenant) in one round trip.

  KEYS[1]                 tenant group index (zset groupId -> expiry ms)
  KEYS[2 .. 1+3G]         per group i: firing hash, recovery hash, meta hash (same {groupId} hash tag)
  KEYS[2+3G ..]           due-index buckets referenced by the groups (zset member -> due ms)

  ARGV[1] now (ms)   ARGV[2] retention (ms)   ARGV[3] tenant   ARGV[4] G (number of groups)
  then per group (10): groupId, due-bucket KEYS index, groupKey, receiver, routeId, groupLabels JSON,
                       groupWait ms, groupInterval ms, repeatInterval ms, N (alerts)
  then per alert (6):  fingerprint, startsAt ms, endsAt ms, timeout (0|1), updatedAt ms, body (JSON)

  Stored alert value: "<startsAt>:<endsAt>:<timeout>:<updatedAt>|<body>".
  Merge rules mirror libs/domain/src/alert-merge.ts (Alertmanager's provider/mem + Alert.Merge).
  Returns {alertsWritten, groupsCreated}.
]]
local now = tonumber(ARGV[1])
local retention = tonumber(ARGV[2])
local tenant = ARGV[3]
local G = tonumber(ARGV[4])
local a = 5
local k = 2
local written, created = 0, 0
local indexExpiry = 0

local function header(v)
  local s, e, t, u = string.match(v, '^(%d+):(%d+):(%d):(%d+)|')
  return tonumber(s), tonumber(e), t, tonumber(u)
end

local function extend(key, at)
  local want = at - now
  if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, want) end
end

for _ = 1, G do
  local fk, rk, mk = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  k = k + 3
  local gid, dueKey = ARGV[a], KEYS[tonumber(ARGV[a + 1])]
  local gw = tonumber(ARGV[a + 6])
  local n = tonumber(ARGV[a + 9])
  if redis.call('HSETNX', mk, 'key', ARGV[a + 2]) == 1 then
    redis.call('HSET', mk, 'receiver', ARGV[a + 3], 'route', ARGV[a + 4], 'labels', ARGV[a + 5],
      'gw', ARGV[a + 6], 'gi', ARGV[a + 7], 'ri', ARGV[a + 8], 'created', ARGV[1])
    created = created + 1
  end
  a = a + 10
  local maxEnd = now
  local anyFiring, anyResolved, startedLongAgo = false, false, false
  for _ = 1, n do
    local fp = ARGV[a]
    local s, e, t, u = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3], tonumber(ARGV[a + 4])
    local body = ARGV[a + 5]
    a = a + 6
    local inFiring = true
    local old = redis.call('HGET', fk, fp)
    if not old then
      old = redis.call('HGET', rk, fp)
      inFiring = false
    end
    if old then
      local os, oe, ot, ou = header(old)
      if (e > os and e < oe) or (s > os and s < oe) then
        -- Alert.Merge: the younger update (by updatedAt) gives the content; times combine.
        local ys, ye, yt, yu, yb, xs, xe, xt
        if u < ou then
          ys, ye, yt, yu, yb = os, oe, ot, ou, string.sub(old, string.find(old, '|', 1, true) + 1)
          xs, xe, xt = s, e, t
        else
          ys, ye, yt, yu, yb = s, e, t, u, body
          xs, xe, xt = os, oe, ot
        end
        if xs < ys then ys = xs end
        if ye <= now then
          if xe <= now and xe > ye then ye = xe end
        elseif xe > ye and xt == '0' then
          ye = xe
        end
        s, e, t, u, body = ys, ye, yt, yu, yb
      end
    end
    local v = s .. ':' .. e .. ':' .. t .. ':' .. u .. '|' .. body
    if e <= now then
      if old and inFiring then redis.call('HDEL', fk, fp) end
      redis.call('HSET', rk, fp, v)
      anyResolved = true
    else
      if old and not inFiring then redis.call('HDEL', rk, fp) end
      redis.call('HSET', fk, fp, v)
      anyFiring = true
      if s + gw < now then startedLongAgo = true end
    end
    if e > maxEnd then maxEnd = e end
    written = written + 1
  end
  local expiry = maxEnd + retention
  if expiry > indexExpiry then indexExpiry = expiry end
  extend(fk, expiry)
  extend(rk, expiry)
  extend(mk, expiry)
  redis.call('ZADD', KEYS[1], 'GT', expiry, gid)

  local firingMember = tenant .. ':' .. gid .. ':f'
  local firingDue = redis.call('ZSCORE', dueKey, firingMember)
  if anyFiring then
    local cand = now + gw
    if startedLongAgo then cand = now end
    if not firingDue then
      redis.call('ZADD', dueKey, cand, firingMember)
      firingDue = cand
    elseif startedLongAgo and redis.call('HEXISTS', mk, 'flushed') == 0 and cand < tonumber(firingDue) then
      -- Alertmanager: an unflushed group flushes at once when an alert started over group_wait ago.
      redis.call('ZADD', dueKey, cand, firingMember)
      firingDue = cand
    end
  end
  if anyResolved then
    redis.call('ZADD', dueKey, 'NX', firingDue or (now + gw), tenant .. ':' .. gid .. ':r')
  end
  extend(dueKey, expiry)
end
-- Forget index entries whose group keys have expired.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
extend(KEYS[1], indexExpiry)
return { written, created }
