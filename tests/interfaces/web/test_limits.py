"""Per-IP token buckets: a burst up to the limit, then the steady rate, each client on its own."""
from assistant.interfaces.web.limits import RateLimiter


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_client_may_burst_to_the_limit_and_is_then_told_how_long_to_wait():
    clock = Clock()
    limiter = RateLimiter(per_minute=3, clock=clock)
    assert [limiter.wait("1.2.3.4") for _ in range(3)] == [0, 0, 0]
    assert limiter.wait("1.2.3.4") == 20.0  # one request refills every 60/3 seconds
    assert limiter.wait("5.6.7.8") == 0  # another client is not affected


def test_requests_come_back_at_the_steady_rate():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, clock=clock)
    for _ in range(60):
        limiter.wait("ip")
    assert limiter.wait("ip") > 0
    clock.now += 1.0
    assert limiter.wait("ip") == 0 and limiter.wait("ip") > 0


def test_idle_clients_are_forgotten_so_the_table_stays_bounded(monkeypatch):
    monkeypatch.setattr("assistant.interfaces.web.limits.MAX_TRACKED", 10)
    clock = Clock()
    limiter = RateLimiter(per_minute=60, clock=clock)
    for n in range(10):
        limiter.wait(f"10.0.0.{n}")
    clock.now += 120  # every bucket full again
    limiter.wait("new-1")
    limiter.wait("new-2")
    assert len(limiter._buckets) <= 10
