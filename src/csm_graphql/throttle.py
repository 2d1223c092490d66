"""Rate limiting by query cost: a token bucket per principal (Shopify's model).

Each principal has a bucket of ``capacity`` points that refills at ``restore_per_second``. A
request is charged its *requested cost* (graphql/cost.py: one point per node it may return,
plus the operation's own) before it runs; a request that costs more than the bucket holds is
refused with ``RATE_LIMITED`` and told when enough points will be back. Charging the requested
cost, an upper bound known before execution, keeps the limiter one round trip and lets a client
compute its cost itself.

Two stores hold the buckets:

* :class:`MemoryStore`, the default: one process's buckets. With several workers, each has its
  own, so a principal gets up to ``workers x capacity``: fine for one host, said in the README.
* :class:`RedisStore` (``CSM_RATE_LIMIT_REDIS_URL``): one bucket across every worker and host,
  updated atomically by a Lua script with Redis's own clock. If Redis cannot be reached the
  request is let through and a warning logged: the limiter protects the service, it must not
  become the outage.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from csm_graphql.settings import RateLimit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Charge:
    """The outcome of charging a bucket: whether the request may run, and what is left."""

    allowed: bool
    available: float
    # Seconds until the bucket holds the refused cost again; 0 when allowed.
    retry_after: float = 0.0


class BucketStore(Protocol):
    async def take(self, key: str, cost: int, capacity: int, rate: float) -> tuple[bool, float]:
        """Take ``cost`` points from the key's bucket if it holds them; (taken, points left)."""


class MemoryStore:
    """Buckets in this process. Full buckets are forgotten, so memory follows active users."""

    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (points, at monotonic)

    async def take(self, key: str, cost: int, capacity: int, rate: float) -> tuple[bool, float]:
        now = time.monotonic()
        points, at = self._buckets.get(key, (float(capacity), now))
        points = min(float(capacity), points + (now - at) * rate)
        taken = cost <= points
        if taken:
            points -= cost
        self._buckets[key] = (points, now)
        if len(self._buckets) > self.MAX_KEYS:
            self._forget_full(capacity, rate, now)
        return taken, points

    def _forget_full(self, capacity: int, rate: float, now: float) -> None:
        self._buckets = {
            key: (points, at)
            for key, (points, at) in self._buckets.items()
            if points + (now - at) * rate < capacity
        }


# KEYS[1] the bucket; ARGV: cost, capacity, rate. Redis's clock, so hosts need not agree.
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local cost = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'points', 'at')
local points = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
points = math.min(capacity, points + math.max(0, now - at) * rate)
local taken = 0
if cost <= points then
  points = points - cost
  taken = 1
end
redis.call('HSET', KEYS[1], 'points', tostring(points), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {taken, tostring(points)}
"""


class RedisStore:
    """Buckets in Redis, shared by every worker and host."""

    def __init__(self, url: str, prefix: str = "csm:throttle:") -> None:
        import redis.asyncio as redis

        self._client: Any = redis.Redis.from_url(url, socket_timeout=0.5)
        self._take = self._client.register_script(_TAKE)
        self._prefix = prefix

    async def take(self, key: str, cost: int, capacity: int, rate: float) -> tuple[bool, float]:
        taken, points = await self._take(keys=[self._prefix + key], args=[cost, capacity, rate])
        return bool(taken), float(points)

    async def close(self) -> None:
        await self._client.aclose()


class Throttle:
    """Charges principals for their requests' cost, from one store."""

    def __init__(self, settings: RateLimit, store: BucketStore | None = None) -> None:
        self.capacity = settings.capacity
        self.rate = settings.restore_per_second
        if store is None:
            store = RedisStore(settings.redis_url) if settings.redis_url else MemoryStore()
        self.store = store

    @classmethod
    def from_settings(cls, settings: RateLimit) -> Throttle | None:
        """The throttle the settings ask for, or None when rate limiting is off."""
        return cls(settings) if settings.enabled else None

    async def charge(self, principal: str, cost: int) -> Charge:
        try:
            taken, available = await self.store.take(principal, cost, self.capacity, self.rate)
        except Exception as error:  # the store is away: let the request through
            log.warning("Rate limiter unavailable, not limiting: %r", error)
            return Charge(allowed=True, available=float(self.capacity))
        if taken:
            return Charge(allowed=True, available=available)
        # A cost over the capacity can never be paid: it waits for a full bucket, and the
        # node limit keeps such costs out unless capacity is set below it.
        missing = min(cost, self.capacity) - available
        return Charge(allowed=False, available=available, retry_after=max(missing / self.rate, 0))

    def retry_after_header(self, charge: Charge) -> str:
        return str(max(1, math.ceil(charge.retry_after)))
