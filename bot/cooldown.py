"""A per-user rate limit shared by `/ask` and mentions."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldown:
    """At most `rate` uses per `per` seconds for each key (a sliding window).

    `clock` gives seconds; by default `time.monotonic`, looked up at each use.
    """

    def __init__(self, rate: int, per: float, clock: Callable[[], float] | None = None) -> None:
        if rate < 1 or per <= 0:
            raise ValueError("rate must be >= 1 and per > 0")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._uses: dict[int, deque[float]] = {}

    def hit(self, key: int) -> float:
        """Record a use; 0.0 if allowed, else the seconds to wait (the use is not recorded)."""
        now = self._clock() if self._clock else time.monotonic()
        uses = self._uses.setdefault(key, deque())
        while uses and now - uses[0] >= self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return self.per - (now - uses[0])
        uses.append(now)
        self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop keys whose uses have all expired, so memory stays bounded by active users."""
        if len(self._uses) > 1024:
            idle = [k for k, u in self._uses.items() if not u or now - u[-1] >= self.per]
            for key in idle:
                del self._uses[key]
