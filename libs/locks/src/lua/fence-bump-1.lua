--[[
  fence-bump: quorum mode, round 1 on each master — the next fencing token as this master sees it.
  The caller takes the maximum over a majority, then writes it back with fence-raise.

  KEYS[1]  fence counter key
  ARGV[1]  fence counter TTL (ms)

  Returns the incremented counter (includes/next-fence-0.lua, as in lock-acquire).
]]
--- @include "includes/next-fence-0"

return nextFence(KEYS[1], ARGV[1])
