"""Per-client rate limits for the public API: a token bucket per IP, kept in memory.

A bucket holds up to `per_minute` requests and refills continuously, so a client may burst a
page's worth of questions and then goes at the steady rate. One process serves the app, so memory
is the right place; idle (full) buckets are dropped when the table grows, which bounds it.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_TRACKED = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, when)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Take one request for `key`: 0 when allowed, else the seconds until the next one would be."""
        now = self.clock()
        with self._lock:
            tokens = self._tokens(key, now)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > MAX_TRACKED:
                    self._forget_idle(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.refill_per_s

    def _tokens(self, key: str, now: float) -> float:
        tokens, when = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - when) * self.refill_per_s)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k in self._buckets if self._tokens(k, now) >= self.capacity]:
            del self._buckets[key]


def slow_down(wait: float) -> tuple[str, dict[str, str]]:
    """The message and headers of a 429 for a client that must wait `wait` seconds."""
    seconds = math.ceil(wait)
    return f"请求太频繁了，请 {seconds} 秒后再试。", {"Retry-After": str(seconds)}
