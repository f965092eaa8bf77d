"""trucewatch.web.limits.LoginThrottle: a delay that doubles per user name, a looser limit per
client address (issue 13: five wrong guesses locked the real user, and everyone behind one
address, out)."""

from __future__ import annotations

import datetime as dt

from trucewatch.web.limits import LoginThrottle

WINDOW = dt.timedelta(minutes=5)


def fail(throttle: LoginThrottle, client: str, name: str, times: int) -> None:
    for _ in range(times):
        assert throttle.begin(client, name) == 0  # counted as a failure: never succeeded


def test_the_delay_doubles_per_failure_up_to_a_ceiling() -> None:
    throttle = LoginThrottle(3, WINDOW, max_delay=dt.timedelta(seconds=60))
    assert [throttle.delay(n) for n in range(8)] == [0, 0, 0, 1, 2, 4, 8, 16]
    assert throttle.delay(40) == 60
    assert throttle.delay(10**6) == 60


def test_failures_for_one_name_do_not_stop_another_name_at_the_same_address() -> None:
    throttle = LoginThrottle(3, WINDOW)
    fail(throttle, "10.0.0.1", "admin", 3)
    assert throttle.begin("10.0.0.1", "admin") == 1  # waits the first doubling step
    assert throttle.begin("10.0.0.1", "viewer") == 0
    assert throttle.begin("10.0.0.2", "Admin") == 1  # the name counts from any address


def test_the_address_limit_holds_for_any_names() -> None:
    throttle = LoginThrottle(3, WINDOW, address_attempts=4)
    for name in ("a", "b", "c", "d"):
        fail(throttle, "10.0.0.1", name, 1)
    assert throttle.begin("10.0.0.1", "e") > 0
    assert throttle.begin("10.0.0.9", "e") == 0


def test_a_success_forgives_the_name() -> None:
    throttle = LoginThrottle(2, WINDOW)
    fail(throttle, "10.0.0.1", "admin", 2)
    throttle.succeeded("10.0.0.1", "admin")
    assert throttle.begin("10.0.0.1", "admin") == 0
