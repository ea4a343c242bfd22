-- A tenant's ingest token bucket (hash 't' tokens, 'at' ms), refilled by the request's `now` (never
-- backwards) at `rate` alerts/s up to `burst`. Returns nil when the request may pass (its cost is taken;
-- the bucket may go below 0: a request over the burst passes on a full bucket, then pays), else the ms
-- until enough tokens are back (nothing taken).
local function takeIngestTokens(bucketKey, now, rate, burst, cost)
  local b = redis.call('HMGET', bucketKey, 't', 'at')
  local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now
  if now > at then
    tokens = math.min(burst, tokens + (now - at) * rate / 1000)
    at = now
  end
  local need = math.min(cost, burst)
  if tokens < need then return math.ceil((need - tokens) * 1000 / rate) end
  tokens = tokens - cost
  redis.call('HSET', bucketKey, 't', tokens, 'at', at)
  redis.call('PEXPIRE', bucketKey, math.ceil((burst - tokens) * 1000 / rate) + 1000) -- full by then
  return nil
end
