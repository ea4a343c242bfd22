--[[
  ingest-rate: a tenant's ingest rate limit on its own (Redis Cluster). On one Redis the check is part
  of upsert-groups-n.lua, atomic with the writes; on a cluster the request's groups live in several
  slots, so the store takes the tokens first with this script and then sends one upsert per slot.

  KEYS[1]  the tenant's ingest token bucket (hash 't' tokens, 'at' ms)
  ARGV[1]  now (ms)   ARGV[2] rate (alerts/s)   ARGV[3] burst   ARGV[4] cost (the request's alerts)

  Returns 0 when the request may pass (its cost taken), else the ms until it would.
]]
--- @include "includes/ingest-rate-0"

local now, rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not (now and rate and burst and cost) or rate <= 0 then
  return redis.error_reply('ERR herald ingest-rate: bad arguments')
end
return takeIngestTokens(KEYS[1], now, rate, burst, cost) or 0
