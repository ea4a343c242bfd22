--[[
  claim-due: hand out the due entries of one due-index bucket under a lease, atomically, so two
  claimers (nodes) never get the same entry and a crashed claimer's entries come back.

  KEYS[1]  due bucket  `<p>:due:{b<n>}`        zset member -> due ms
  KEYS[2]  leases      `<p>:due:lease:{b<n>}`  zset member -> lease expiry ms
  KEYS[3]  claims      `<p>:due:claim:{b<n>}`  hash member -> "<dueAt>|<owner>"
  (one hash tag: one slot)

  ARGV[1] now (ms)  ARGV[2] lease (ms)  ARGV[3] owner  ARGV[4] limit
  ARGV[5] minimum TTL of the lease bookkeeping keys (ms): they must outlive a lapsed lease until some
          claimer comes back for it.
  ARGV[6] the lease marker's member (includes/lease-marker-0.lua): never handed out; set again at the end

  Order: lapsed leases first (their claimer died; they are the most overdue), then due members
  (score <= now) oldest first. A due member that is also under an unexpired lease (ingest re-added it
  while a claimer flushes) is skipped: its lease holder's `complete` decides when it flushes next.
  Returns a flat array {member, dueAt, member, dueAt, ...}; every entry's lease ends at now + lease.
]]
--- @include "includes/lease-marker-0"

local now = tonumber(ARGV[1])
local leaseUntil = now + tonumber(ARGV[2])
local owner = ARGV[3]
local limit = tonumber(ARGV[4])
local keyTtl = tonumber(ARGV[5])
local marker = ARGV[6]
local out = {}
local n = 0

local function take(member, dueAt)
  redis.call('ZADD', KEYS[2], leaseUntil, member)
  redis.call('HSET', KEYS[3], member, dueAt .. '|' .. owner)
  out[#out + 1] = member
  out[#out + 1] = dueAt
  n = n + 1
end

local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, m in ipairs(lapsed) do
  if m == marker then
    -- A claimer without the marker took it for a member (a rolling upgrade): not an entry.
    redis.call('ZREM', KEYS[2], m)
    redis.call('HDEL', KEYS[3], m)
  else
    local c = redis.call('HGET', KEYS[3], m)
    take(m, (c and string.match(c, '^([^|]*)|')) or tostring(now))
  end
end

-- Skipped (leased) members stay in front of the range, removed ones leave it: page by skipped count.
local skipped = 0
while n < limit do
  local batch = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', skipped, limit - n)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local m = batch[i]
    if m == marker or redis.call('ZSCORE', KEYS[2], m) then
      skipped = skipped + 1
    else
      redis.call('ZREM', KEYS[1], m)
      take(m, batch[i + 1])
    end
  end
end

if n > 0 then
  local want = math.max(keyTtl, redis.call('PTTL', KEYS[1]))
  for k = 2, 3 do
    if redis.call('PTTL', KEYS[k]) < want then redis.call('PEXPIRE', KEYS[k], want) end
  end
end
setLeaseMarker(KEYS[1], KEYS[2], marker)
return out
