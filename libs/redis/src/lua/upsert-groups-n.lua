--[[
  upsert-groups: one ingest request (one tenant) in one round trip.

  KEYS[1]                 tenant group index (zset groupId -> expiry ms)
  KEYS[2 .. 1+3G]         per group i: firing hash, recovery hash, meta hash (same {groupId} hash tag)
  KEYS[2+3G ..]           due-index buckets referenced by the groups (zset member -> due ms), then the
                          inhibition source lists referenced by the index entries (zset fingerprint -> endsAt)
  then                    tenant usage hash ('n' -> alerts held, <groupId> -> alerts of that group)
  then, with a rate only  tenant ingest token bucket (hash 't' tokens, 'at' ms)
  On a Redis Cluster every key is in one slot: the store sends one call per due bucket (KEYS[1] and the
  usage hash are that bucket's shards) and checks the rate before with ingest-rate-1.lua.

  ARGV[1] now (ms)   ARGV[2] retention (ms)   ARGV[3] tenant (not read: names the request in
  SLOWLOG/MONITOR)   ARGV[4] G (number of groups)
  ARGV[5] tenant limits: '' (none: nothing counted, the usage hash is dropped) or
          'maxAlerts:maxGroups:rate:burst:cost' (0 = absent; rate alerts/s; cost = the request's alerts),
          optionally ':otherAlerts:otherGroups' — what the tenant's other shards hold (a cluster), added
          to this shard's counts when they are checked against the maxima
  then per group (1):  "<groupId>:<due-bucket KEYS index>:<groupWait ms>:<N alerts>:<L>:" followed by the
                       due members of the firing and of the recovery half (L bytes each, built by
                       RedisKeys.dueMember: the script never builds a key or member itself), the N
                       fingerprints of its alerts, each followed by "\n", then the meta JSON [groupKey,
                       receiver, routeId, groupLabels JSON, groupWait, groupInterval, repeatInterval]
                       (decoded only when the group is created: most requests update)
  then per alert (1):  its value, in the order of the fingerprints
  (Packed: an argument costs the node's client and Redis more than its bytes do; a member or the meta is
  cut out only when used, a value is written as it came.)
  then (optional) S, and per shared string (3): group index 1..G, id, JSON — a forwarded alert's source
                       ({groupKey, receiver} of the sending Alertmanager), stored once in the group's meta
                       hash as field 'src:<id>' and referenced from the alert body as "src":"<id>".
  then (optional) I, and per inhibition index entry (2): alert ordinal (1-based position of the alert among
                       all alerts of the request, in order), KEYS index of a source list. After the merge,
                       a written alert that fires is added to the list scored by its merged endsAt; one
                       that has resolved is taken out (a resolved source stops inhibiting at once). The
                       node decides which rules an alert is a source of; the merge decides whether it fires.

  Alert value (as sent and as stored): "<startsAt ms>:<endsAt ms>:<timeout 0|1>:<updatedAt ms>|<body JSON>".
  Merge rules mirror libs/domain/src/alert-merge.ts (Alertmanager's provider/mem + Alert.Merge).
  Every argument is checked before the first write: a bad request fails with an error reply and writes
  nothing (a script error does not roll back, so a write before it would stay, possibly without TTL).
  Tenant limits: over the rate (token bucket refilled by the request's `now`, never backwards) the
  request writes nothing. Over max alerts/groups the alerts that fit are written: an alert already in
  its group always is (an update), a new one only while the tenant holds fewer than maxAlerts, and a
  new group only while it holds fewer than maxGroups (else none of its alerts). Counts are O(changes):
  the usage hash is adjusted by this script, remove-alerts and delete-group, and the groups the index
  prunes (expired keys) are subtracted; a group written for the first time since counting began is
  counted with HLEN.
  Returns {alertsWritten, groupsCreated, limitHit (0 none, 1 rate, 2 max alerts, 3 max groups),
  alertWritesRefused, retryAfterMs (rate), nextDueAt, changedGroupIds} — nextDueAt: the earliest due
  time (ms) this call ZADDed for a group half (a member added or moved), nil when it set none;
  changedGroupIds: the groups where an alert joined the firing half or resolved (`changed` below).

  Steady state (Prometheus re-sending firing alerts with a later endsAt) costs per group HMGET meta and per
  alert HGET + HSET, nothing else. What is skipped, and why it is safe:
  - PTTL of a half (ensureTtl) only after an HSET that may have created its key: an HSET of a field just
    read from the same half updates an existing key, whose TTL it keeps.
  - PTTL of a due bucket only when a group's TTL step moved or this call ZADDed to it: a member in a bucket
    came with a TTL covering it (this script's step, complete-claim/schedule-due/claim-due's keyTtl).
    PTTL of the tenant index only when a group's step moved (the only ZADD to it).
  - ZSCORE of the firing due member when the group is "settled": every alert it writes was in the firing
    half, firing there (stored endsAt > now + SETTLED), stays firing with an unchanged merged startsAt, and
    the group has flushed or no alert started over group_wait ago (else an unflushed group may be pulled
    forward). Invariant relied on: a firing-half alert whose stored endsAt is after now has its group's
    firing member in the due bucket or under a lease whose completion re-adds it. Only these remove the
    member: claim-due-3 (moves it under a lease); complete-claim-3 without a next due, which the flush
    runner asks for only when the group is gone (then this request creates it again: no alert is found)
    or when its firing half held no alert firing at the flush's now (every endsAt <= that now, so not
    after this request's now unless the request's now lags the flush's by more than SETTLED — a request
    older than its command timeout); remove-alerts-6 and delete-group-6 only with the group's keys (both
    halves empty, or deleted). A bucket emptied by them is deleted; the member is then absent too, and
    so is every firing alert. Anything else (an unreadable stored value, a new alert, a resolved one, a
    moved startsAt) reads the member and re-adds it when absent, as before.
]]
--- @include "includes/ingest-rate-0"

local now = tonumber(ARGV[1])
local retention = tonumber(ARGV[2])
local G = tonumber(ARGV[4])
local a = 6
local k = 2
local written, created = 0, 0
local indexExpiry = 0
local anyStepped = false -- some group's TTL step moved (its index entry with it)
local dueExp = {}
-- The earliest due time this call ZADDed for a half (reply element 6), nil if none.
local nextDue
-- A stored alert firing until more than this after now counts as settled (see the header comment).
local SETTLED = 60000
-- What validation parsed, once: per alert ordinal the fingerprint, startsAt and endsAt; per group its
-- fields (gAt, gMeta: where its due members and its meta start in its argument).
local afp, hs, he = {}, {}, {}
local gId, gBucket, gWait, gN, gLen, gAt, gMeta = {}, {}, {}, {}, {}, {}, {}
-- Per alert ordinal of the request: fingerprint and merged endsAt, for the inhibition index.
local ord = 0
local ordFp, ordEnd = {}, {}
local indexing = false -- the request has inhibition index entries
local changedIds = {} -- reply element 7

-- A value's header, whole (TIMES: startsAt and endsAt only; a merge reads the rest with HEADER). Signed,
-- so a stray negative time parses (ingest rejects times before 1970; this is defence in depth).
local HEADER = '^(%-?%d+):(%-?%d+):([01]):(%-?%d+)|'
local TIMES = '^(%-?%d+):(%-?%d+):[01]:%-?%d+|'

-- Validate everything before the first write (see the header comment).
local function bad(msg)
  return redis.error_reply('ERR herald upsert-groups: ' .. msg)
end
local maxAlerts, maxGroups, rate, burst, cost, otherAlerts, otherGroups = 0, 0, 0, 0, 0, 0, 0
if ARGV[5] ~= '' then
  local l = {}
  for x in string.gmatch(ARGV[5] or '', '[^:]+') do l[#l + 1] = tonumber(x) end
  if (#l ~= 5 and #l ~= 7) or not (l[1] and l[2] and l[3] and l[4] and l[5]) then return bad('bad limits') end
  maxAlerts, maxGroups, rate, burst, cost = l[1], l[2], l[3], l[4], l[5]
  otherAlerts, otherGroups = l[6] or 0, l[7] or 0
end
-- The usage hash, then (with a rate) the token bucket end KEYS.
local tail = rate > 0 and 2 or 1
local usageKey, bucketKey = KEYS[#KEYS - tail + 1], KEYS[#KEYS]
if not now or not retention or not G or G < 0 or G ~= math.floor(G) or #KEYS < 1 + 3 * G + tail then
  return bad('bad request header')
end
local totalAlerts = 0
do
  local i = a
  for g = 1, G do
    local x = ARGV[i]
    local gid, bi, gw, n, l, p
    if x then gid, bi, gw, n, l, p = string.match(x, '^([^:]+):(%d+):(%-?%d+):(%d+):(%d+):()') end
    -- '+ 0', not tonumber: the pattern matched digits, and tonumber converts each string twice (a
    -- check, then the value: glibc's strtod of 13-digit times was ~4 % of Redis' CPU per alert).
    if gid then bi, gw, n, l = bi + 0, gw + 0, n + 0, l + 0 end
    if not gid or not KEYS[bi] or bi <= 1 + 3 * G or l < 1 then return bad('bad group ' .. g) end
    gId[g], gBucket[g], gWait[g], gN[g], gLen[g], gAt[g] = gid, bi, gw, n, l, p
    i = i + 1
    totalAlerts = totalAlerts + n
    local at = p + 2 * l
    for j = 1, n do
      local q = string.find(x, '\n', at, true)
      local v, s, e = ARGV[i]
      if v then s, e = string.match(v, TIMES) end
      if not q or q == at or not s then return bad('bad alert ' .. j .. ' of group ' .. g) end
      ord = ord + 1
      afp[ord], hs[ord], he[ord] = string.sub(x, at, q - 1), s + 0, e + 0
      at = q + 1
      i = i + 1
    end
    if string.byte(x, at) ~= 91 then return bad('bad group ' .. g) end -- the meta: '['
    gMeta[g] = at
  end
  local S = tonumber(ARGV[i] or '0')
  if not S then return bad('bad shared strings') end
  for j = 1, S do
    local gi = tonumber(ARGV[i + 1 + (j - 1) * 3])
    if not gi or gi < 1 or gi > G or not ARGV[i + 3 * j] then return bad('bad shared string ' .. j) end
  end
  i = i + 3 * S + 1
  local I = tonumber(ARGV[i] or '0')
  if not I then return bad('bad inhibition entries') end
  indexing = I > 0
  for j = 1, I do
    local o, ki = tonumber(ARGV[i + 2 * j - 1]), tonumber(ARGV[i + 2 * j])
    if not o or o < 1 or o > totalAlerts or not ki or ki <= 1 + 3 * G or ki > #KEYS - tail then
      return bad('bad inhibition entry ' .. j)
    end
  end
end

ord = 0

-- Tenant limits, checked before the first write.
if rate > 0 then
  local wait = takeIngestTokens(bucketKey, now, rate, burst, cost)
  if wait then return { 0, 0, 1, cost, wait } end
end
local counting = maxAlerts > 0 or maxGroups > 0
local total, groupsHeld, refused, hit = 0, 0, 0, 0
if counting then
  total = tonumber(redis.call('HGET', usageKey, 'n')) or 0
  -- Groups whose keys expired leave the index here (before the count), and their alerts the usage.
  local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
  if #expired > 0 then
    for _, gid in ipairs(expired) do
      local c = tonumber(redis.call('HGET', usageKey, gid))
      if c then
        total = total - c
        redis.call('HDEL', usageKey, gid)
      end
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  end
  if maxGroups > 0 then groupsHeld = redis.call('ZCARD', KEYS[1]) end
else
  redis.call('DEL', usageKey) -- counting (re)starts from the groups' content when a limit is set
end

-- Key TTLs are moved in coarse steps: a group records in its meta hash ('exp') the expiry its keys
-- were last given, and the keys are re-expired only when the new expiry passes it. Prometheus re-sends
-- every alert each minute with a later endsAt; without the step every request would re-expire every key.
local STEP = 600000
local function ensureTtl(key, exp)
  if redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, exp - now) end
end

for g = 1, G do
  local fk, rk, mk = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  k = k + 3
  local ga = ARGV[a]
  local gid, dueKey, gw, n, ml, mp = gId[g], KEYS[gBucket[g]], gWait[g], gN[g], gLen[g], gAt[g]
  local meta = redis.call('HMGET', mk, 'key', 'exp', 'flushed', 'gi')
  -- gc: the alerts this group holds (counting tenants); over: the limit that refuses the whole group.
  local gc, gc0, over = 0, -1, false
  if counting then
    gc0 = tonumber(redis.call('HGET', usageKey, gid))
    if not meta[1] then
      -- A new group (or one whose keys expired before the index pruned it: its old count is stale).
      local indexed = redis.call('ZSCORE', KEYS[1], gid)
      if maxGroups > 0 and not indexed and groupsHeld + otherGroups >= maxGroups then
        over = 3
      elseif maxAlerts > 0 and total + otherAlerts - (gc0 or 0) >= maxAlerts then
        over = 2
      else
        total = total - (gc0 or 0)
        gc0 = -1
        if not indexed then groupsHeld = groupsHeld + 1 end
      end
    elseif gc0 then
      gc = gc0
    else
      -- First write since counting began: count what the group already holds.
      gc = redis.call('HLEN', fk) + redis.call('HLEN', rk)
      total = total + gc
      gc0 = -1
    end
  end
  if over then
    -- Refused whole: none of its alerts, no keys.
    refused, a, ord, n = refused + n, a + n, ord + n, 0
    if hit == 0 then hit = over end
  elseif not meta[1] then
    local ok, m = pcall(cjson.decode, string.sub(ga, gMeta[g]))
    if not ok or type(m) ~= 'table' or #m < 7 then return bad('bad group metadata') end -- before its writes
    redis.call('HSET', mk, 'key', m[1], 'receiver', m[2], 'route', m[3], 'labels', m[4],
      'gw', m[5], 'gi', m[6], 'ri', m[7], 'created', ARGV[1])
    created = created + 1
  end
  local keptExp = tonumber(meta[2]) or 0
  local flushed = meta[3]
  a = a + 1
  local maxEnd = now
  local anyFiring, anyResolved, startedLongAgo = false, false, false
  -- newF/newR: an HSET into a half that may have created its key (not an update of a field found there).
  -- settled: every alert written was in the firing half, firing there (stored endsAt > now + SETTLED),
  -- stays firing with an unchanged (merged) startsAt — see the header comment.
  local newF, newR, settled = false, false, true
  -- changed: an alert joined the firing half (new, back from recovery, firing again after its endsAt
  -- passed) or resolved; a parked firing half (see parkedFlushAt in libs/domain/src/timers.ts) then
  -- comes back to its next group_interval tick. A changed group is never settled.
  local changed = false
  for _ = 1, n do
    ord = ord + 1
    local fp, v = afp[ord], ARGV[a]
    a = a + 1
    local s, e = hs[ord], he[ord]
    local inFiring = true
    local old = redis.call('HGET', fk, fp)
    if not old then
      old = redis.call('HGET', rk, fp)
      inFiring = false
    end
    local os, oe
    if old then
      os, oe = string.match(old, TIMES)
      if os then os, oe = os + 0, oe + 0 end
    end
    -- An unreadable stored value (not written by this version) is replaced, not merged.
    if os then
      if (e > os and e < oe) or (s > os and s < oe) then
        local _, _, t, u = string.match(v, HEADER)
        local _, _, ot, ou = string.match(old, HEADER)
        u, ou = tonumber(u), tonumber(ou)
        -- Alert.Merge: the younger update (by updatedAt) gives the content; times combine.
        local ys, ye, yt, yu, yv, xs, xe, xt
        if u < ou then
          ys, ye, yt, yu, yv = os, oe, ot, ou, old
          xs, xe, xt = s, e, t
        else
          ys, ye, yt, yu, yv = s, e, t, u, v
          xs, xe, xt = os, oe, ot
        end
        if xs < ys then ys = xs end
        if ye <= now then
          if xe <= now and xe > ye then ye = xe end
        elseif xe > ye and xt == '0' then
          ye = xe
        end
        s, e = ys, ye
        -- %d, not '..': Lua prints numbers of 15+ digits (years after 5138) in exponent notation.
        v = string.format('%d:%d:%s:%d', s, e, yt, yu) .. string.sub(yv, (string.find(yv, '|', 1, true)))
      end
    end
    local refuse = false
    if counting and not old then
      if maxAlerts > 0 and total + otherAlerts >= maxAlerts then
        refuse = true
      else
        total, gc = total + 1, gc + 1
      end
    end
    if refuse then
      refused = refused + 1
      if hit == 0 then hit = 2 end
    elseif e <= now then
      if old and inFiring then redis.call('HDEL', fk, fp) end
      redis.call('HSET', rk, fp, v)
      if inFiring or not old then newR = true end
      anyResolved = true
    else
      if old and not inFiring then redis.call('HDEL', rk, fp) end
      redis.call('HSET', fk, fp, v)
      if not (old and inFiring) then newF = true end
      anyFiring = true
      if s + gw < now then startedLongAgo = true end
    end
    if not refuse then
      if (e > now) ~= (inFiring and oe ~= nil and oe > now) then changed = true end
      if e > maxEnd then maxEnd = e end
      written = written + 1
      if indexing then ordFp[ord], ordEnd[ord] = fp, e end
      if not (inFiring and os and oe > now + SETTLED and e > now and s == os) then settled = false end
    end
  end
  if changed then changedIds[#changedIds + 1] = gid end
  if counting and not over and gc ~= gc0 then redis.call('HSET', usageKey, gid, gc) end
  local expiry = maxEnd + retention
  local stepped = false
  if over then
    -- nothing written for a refused group
  elseif expiry > keptExp then
    keptExp = expiry + STEP
    stepped, anyStepped = true, true
    redis.call('HSET', mk, 'exp', keptExp)
    redis.call('PEXPIRE', mk, keptExp - now)
    redis.call('PEXPIRE', fk, keptExp - now)
    redis.call('PEXPIRE', rk, keptExp - now)
    redis.call('ZADD', KEYS[1], 'GT', keptExp, gid)
  else
    -- A half this request may have created (first resolved alert, or firing again after all resolved):
    -- an HSET of a field found in the half just before cannot have created its key.
    if newF then ensureTtl(fk, keptExp) end
    if newR then ensureTtl(rk, keptExp) end
  end
  if keptExp > indexExpiry then indexExpiry = keptExp end

  -- The firing due member is read only when this request may have to add or move it (see the header).
  local dueTouched = false
  if anyResolved or (anyFiring and not (settled and (flushed or not startedLongAgo))) then
    local firingMember = string.sub(ga, mp, mp + ml - 1)
    local firingDue = redis.call('ZSCORE', dueKey, firingMember)
    -- Where the firing half goes: absent → its first flush; Alertmanager: an unflushed group flushes at
    -- once when an alert started over group_wait ago; a parked half (see parkedFlushAt in
    -- libs/domain/src/timers.ts, put at flush + k·group_interval) of a group that changed comes back to
    -- its next tick, that minus whole intervals (MemoryGroupStore does the same).
    local fd, at = tonumber(firingDue), nil
    if anyFiring then
      local cand = now + gw
      if startedLongAgo then cand = now end
      if not fd or (startedLongAgo and not flushed and cand < fd) then at = cand end
    end
    if not at and changed and flushed and fd and fd > now then
      local gi = tonumber(meta[4]) or 0
      local tick = gi > 0 and fd - math.floor((fd - now) / gi) * gi or fd
      if tick < fd then at = tick end
    end
    if at then
      redis.call('ZADD', dueKey, at, firingMember)
      firingDue, dueTouched = at, true
      if not nextDue or at < nextDue then nextDue = at end
    end
    if anyResolved then
      local rdue = tonumber(firingDue) or (now + gw)
      local recoveryMember = string.sub(ga, mp + ml, mp + 2 * ml - 1)
      if redis.call('ZADD', dueKey, 'NX', rdue, recoveryMember) == 1 and (not nextDue or rdue < nextDue) then
        nextDue = rdue
      end
      dueTouched = true
    end
  end
  -- The bucket outlives the groups it holds: moved with a group's TTL step, or when a ZADD may have
  -- created it (a member added otherwise came with the TTL of complete-claim/schedule-due).
  if (stepped or dueTouched) and (dueExp[dueKey] or 0) < keptExp then dueExp[dueKey] = keptExp end
end
-- Shared strings, once per group (the meta hash has its TTL by now; a group that was not written is skipped).
for _ = 1, tonumber(ARGV[a] or '0') do
  local mk = KEYS[1 + (tonumber(ARGV[a + 1]) - 1) * 3 + 3]
  if redis.call('EXISTS', mk) == 1 then redis.call('HSETNX', mk, 'src:' .. ARGV[a + 2], ARGV[a + 3]) end
  a = a + 3
end
-- Inhibition sources: listed while firing, scored by endsAt (the reader takes scores after its now).
a = a + 1
local touched = {}
for _ = 1, tonumber(ARGV[a] or '0') do
  local o, key = tonumber(ARGV[a + 1]), KEYS[tonumber(ARGV[a + 2])]
  a = a + 2
  local e = ordEnd[o]
  if e then -- not refused
    if e > now then
      redis.call('ZADD', key, string.format('%d', e), ordFp[o])
      if (touched[key] or 0) < e then touched[key] = e end
    else
      redis.call('ZREM', key, ordFp[o])
      touched[key] = touched[key] or 0
    end
  end
end
-- A list's TTL moves in the same coarse steps as the groups' keys; entries whose endsAt passed (resolved
-- by time, never re-sent) are pruned at those steps too: readers skip them by score meanwhile, so a
-- re-send costs one ZADD and one PTTL per list, not a range delete as well.
for key, maxEnd in pairs(touched) do
  if maxEnd > 0 and redis.call('PTTL', key) < maxEnd - now then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    redis.call('PEXPIRE', key, maxEnd - now + STEP)
  end
end
for key, exp in pairs(dueExp) do
  if redis.call('PTTL', key) < exp - now then redis.call('PEXPIRE', key, exp - now) end
end
-- Forget index entries whose group keys have expired.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- The index outlives its groups: moved when a group's step moved (the only ZADD to it, so also when
-- this call created it); a group whose step did not move was covered by the call that moved it.
if anyStepped and redis.call('PTTL', KEYS[1]) < indexExpiry - now then
  redis.call('PEXPIRE', KEYS[1], indexExpiry - now)
end
if counting then
  -- The usage hash lives at least as long as the index whose groups it counts.
  redis.call('HSET', usageKey, 'n', total)
  local uexp = math.max(indexExpiry, now + retention)
  if redis.call('PTTL', usageKey) < uexp - now then redis.call('PEXPIRE', usageKey, uexp - now) end
end
return { written, created, hit, refused, 0, nextDue or false, changedIds }
