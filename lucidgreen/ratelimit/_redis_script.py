"""The Lua script that runs a :class:`~lucidgreen.ratelimit.RedisRateLimiter`'s budget inside
Redis, and the keys it keeps that budget in.

The script is the window rule of ``_window.py``, the pacing of ``_arithmetic.py`` and the
neighbour's share of ``_neighbour.py``, line for line, run atomically so every process sees
one budget.
"""

from __future__ import annotations

from typing import Final

__all__ = ["SCRIPT", "keys_for"]

# The window rule of _window.py and the pacing of _arithmetic.py, run atomically inside Redis
# so every process sees one budget. Redis TIME is the clock, so the hosts' clocks never
# matter; times are whole microseconds (exact in a double), tokens printed with %.17g so a
# round trip through the hash loses nothing. Both keys share one hash tag (Redis Cluster).
SCRIPT: Final = """
-- KEYS[1]: hash {tokens, as_of} of the pacing bucket; as_of (µs) is ahead while paused.
-- KEYS[2]: sorted set of reservations: member 'f:<id>' in flight, scored send + hold;
--          'f:<id>' becomes 's:<id>', scored at its settle time, once settled.
-- KEYS[3]: hash {surprises}: 429s that came while fewer than limit were counted, and the
--          neighbour's share they taught {unseen, start, until, ends, hold} (µs; as
--          _neighbour.py: none before start, whole until until, then falling to none at ends).
-- ARGV: operation, rate (tokens/s), capacity, limit, per (s), then per operation:
--   take: tolerance (s), id, hold (s), want
--         -> {wait (s), blocked by an in-flight bound '1'|'0', granted}: up to want
--            reservations 'f:<id>:1' .. 'f:<id>:<granted>' in one round trip
--   settle: id; release: id; count  -> {'0', counted in the window}
--   pause: seconds, id -> {'1' if the 429 was a surprise else '0', counted before it}
if redis.replicate_commands then redis.replicate_commands() end
local bucket, window = KEYS[1], KEYS[2]
local operation = ARGV[1]
local rate, capacity = tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, per = tonumber(ARGV[4]), tonumber(ARGV[5]) * 1e6
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
redis.call('ZREMRANGEBYSCORE', window, '-inf', now - per)
local stored = redis.call('HMGET', bucket, 'tokens', 'as_of')
-- No key: a full bucket (the TTL below only lets a key lapse once it would be full).
local tokens = tonumber(stored[1]) or capacity
local as_of = tonumber(stored[2]) or now
if now > as_of then
  tokens = math.min(capacity, tokens + rate * (now - as_of) / 1e6)
  as_of = now
end
local function save()
  redis.call('HSET', bucket, 'tokens', string.format('%.17g', tokens),
             'as_of', string.format('%.17g', as_of))
  local full_in = (as_of - now) / 1e6 + math.max(0, capacity - tokens) / rate
  redis.call('PEXPIRE', bucket, math.ceil(full_in * 1000) + 1000)
  local last = redis.call('ZRANGE', window, -1, -1, 'WITHSCORES')
  if last[2] then
    redis.call('PEXPIRE', window, math.ceil((tonumber(last[2]) + per - now) / 1000) + 1000)
  end
end
local function fmt(x) return string.format('%.17g', x) end
-- The neighbour's share (_neighbour.py, line for line).
local stored_share = redis.call('HMGET', KEYS[3], 'unseen', 'start', 'until', 'ends', 'hold')
local s_unseen = tonumber(stored_share[1]) or 0
local s_start = tonumber(stored_share[2]) or math.huge
local s_until = tonumber(stored_share[3]) or -math.huge
local s_ends = tonumber(stored_share[4]) or -math.huge
local s_hold = tonumber(stored_share[5]) or 0
local function share_at(t)
  if t < s_start or t >= s_ends then return 0 end
  if t < s_until then return s_unseen end
  return s_unseen * (s_ends - t) / (s_ends - s_until)
end
local function share_below(level)
  if share_at(now) < level then return now end
  if level <= 0 then return math.huge end
  return math.max(now, s_ends - level / s_unseen * (s_ends - s_until)) + 1
end
if operation == 'take' then
  local tolerance, id, hold = tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8]) * 1e6
  local want = tonumber(ARGV[9])
  local counted = redis.call('ZCARD', window)
  local granted = 0
  local allowed = limit - share_at(now)
  while granted < want and counted < allowed do
    if (as_of - now) / 1e6 + math.max(0, 1 - tokens) / rate > tolerance then break end
    tokens = tokens - 1
    granted = granted + 1
    counted = counted + 1
    redis.call('ZADD', window, now + hold, 'f:' .. id .. ':' .. granted)
  end
  if granted > 0 then
    save()
    return {'0', '0', tostring(granted)}
  end
  local wait = (as_of - now) / 1e6 + math.max(0, 1 - tokens) / rate
  if counted >= allowed then
    -- Full: no tolerance (the window is the guarantee); the one that must slide out first.
    local index = math.floor(counted - allowed)
    local oldest = redis.call('ZRANGE', window, index, index, 'WITHSCORES')
    local window_wait = (tonumber(oldest[2]) + per - now) / 1e6
    local blocked = '0'
    if string.sub(oldest[1], 1, 2) == 'f:' then blocked = '1' end
    if allowed < limit then
      -- The share may fall far enough before that request leaves the window.
      local falls = (share_below(limit - counted) - now) / 1e6
      if falls < window_wait then window_wait, blocked = falls, '0' end
    end
    if window_wait > wait then
      return {fmt(window_wait), blocked, '0'}
    end
  end
  return {fmt(wait), '0', '0'}
elseif operation == 'settle' then
  local id = ARGV[6]
  redis.call('ZREM', window, 'f:' .. id)
  -- Added even if its bound had lapsed: the answer time is the truth, and later is safe.
  redis.call('ZADD', window, now, 's:' .. id)
  save()
elseif operation == 'release' then
  if redis.call('ZREM', window, 'f:' .. ARGV[6]) == 1 then
    local cap = capacity
    if as_of > now then cap = math.min(1, capacity) end
    tokens = math.min(cap, tokens + 1)
    save()
  end
elseif operation == 'pause' then
  local pause_end = now + tonumber(ARGV[6]) * 1e6
  local counted = redis.call('ZCARD', window)
  local surprise = '0'
  if counted < limit then
    -- The server counts requests this key never saw: count the window as full, the unseen
    -- ones at now after a pause, spread over the last window after a 429 with none; at most
    -- 10,000 of them (as TokenBucket does).
    surprise = '1'
    -- The share it teaches (_neighbour.learn; two more unseen than the count shows, as
    -- Budget.fill says why).
    local unseen = limit - counted + 2
    local hold = 0
    if now < s_ends + per then
      unseen = math.max(unseen, math.floor(s_unseen + 0.5))
      hold = math.min(math.max(per, 2 * s_hold), 16 * per)
    end
    unseen = math.min(unseen, limit - 1)
    local start = now + per
    redis.call('HSET', KEYS[3], 'unseen', fmt(unseen), 'start', fmt(start),
               'until', fmt(start + hold), 'ends', fmt(start + hold + 0.25 * per),
               'hold', fmt(hold))
    local missing = math.min(limit - counted, 10000)
    local step = 0
    if tonumber(ARGV[6]) <= 0 then step = per / missing end
    for i = 1, missing do
      local at = now - step * (missing - i)
      redis.call('ZADD', window, math.floor(at), 's:n:' .. ARGV[7] .. ':' .. i)
    end
    redis.call('HINCRBY', KEYS[3], 'surprises', 1)
    redis.call('PEXPIRE', KEYS[3], 86400000)
  end
  if pause_end > as_of then
    tokens = math.min(1, capacity, tokens + rate * (pause_end - as_of) / 1e6)
    as_of = pause_end
  end
  save()
  return {surprise, tostring(counted)}
elseif operation == 'surprises' then
  return {'0', tostring(redis.call('HGET', KEYS[3], 'surprises') or 0)}
elseif operation ~= 'count' then
  return redis.error_reply('unknown operation ' .. tostring(operation))
end
return {'0', tostring(redis.call('ZCARD', window))}
"""


def keys_for(key: str) -> list[str]:
    """The script's KEYS for the budget named ``key``: the pacing bucket, the window of
    reservations and the surprise counter. Identical ``{key}`` prefixes give them one Redis
    Cluster hash tag, so they live on one slot."""
    return [f"{{{key}}}:bucket", f"{{{key}}}:window", f"{{{key}}}:stats"]
