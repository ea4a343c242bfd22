--[[
  lock-acquire: take a lock if it is free and hand out the next fencing token for the resource.

  KEYS[1]  lock key            (string: owner token, expires after the lock TTL)
  KEYS[2]  fence counter key   (same {hash tag} as KEYS[1]; expires after ARGV[3] without use)
  ARGV[1]  owner token (random, unique per acquisition)
  ARGV[2]  lock TTL (ms)
  ARGV[3]  fence counter TTL (ms), much longer than any hold

  Returns the fencing token (integer > 0) when the lock was taken, 0 when another owner holds it.

  Tokens come from includes/next-fence-0.lua (seeded from the server clock: they never go back).
]]
--- @include "includes/next-fence-0"

if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
return nextFence(KEYS[2], ARGV[3])
