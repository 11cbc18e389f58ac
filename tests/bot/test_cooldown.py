"""The per-user rate limit (bot/cooldown.py)."""

from __future__ import annotations

from bot.cooldown import Cooldown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_allows_rate_uses_then_says_how_long_to_wait() -> None:
    """Within the window, uses past the rate are refused with the seconds left."""
    clock = Clock()
    cooldown = Cooldown(2, 10.0, clock)
    assert cooldown.hit(1) == 0.0 and cooldown.hit(1) == 0.0
    clock.now += 4
    assert cooldown.hit(1) == 6.0


def test_window_slides() -> None:
    """Once the oldest use is `per` seconds old, one more use is allowed."""
    clock = Clock()
    cooldown = Cooldown(2, 10.0, clock)
    cooldown.hit(1)
    clock.now += 5
    cooldown.hit(1)
    clock.now += 5
    assert cooldown.hit(1) == 0.0
    assert cooldown.hit(1) == 5.0


def test_users_are_limited_separately() -> None:
    """One user's uses do not count against another."""
    cooldown = Cooldown(1, 10.0, Clock())
    assert cooldown.hit(1) == 0.0
    assert cooldown.hit(2) == 0.0
    assert cooldown.hit(1) > 0


def test_refused_uses_do_not_extend_the_wait() -> None:
    """Asking again while refused does not push the next allowed time further."""
    clock = Clock()
    cooldown = Cooldown(1, 10.0, clock)
    cooldown.hit(1)
    clock.now += 9
    assert cooldown.hit(1) == 1.0
    clock.now += 1
    assert cooldown.hit(1) == 0.0
