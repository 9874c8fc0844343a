"""Guessing passwords: after five wrong ones a username waits, even with the right password."""

from sync.server.throttle import LoginThrottle


def attempt(central, username: str, password: str):
    return central.client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_five_wrong_passwords_make_a_username_wait(central):
    clock = [1000.0]
    central.app.state.login_throttle = LoginThrottle(clock=lambda: clock[0])
    for _ in range(5):
        assert attempt(central, "deputy-wang", "guess").json()["code"] == "auth.bad_credentials"
    blocked = attempt(central, "deputy-wang", "lianluo2026")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "auth.too_many_attempts"
    assert int(blocked.headers["Retry-After"]) == blocked.json()["detail"]["retry_after_s"] > 0
    # Another deputy is not held up by someone guessing at 王建华's account.
    assert attempt(central, "deputy-li", "lianluo2026").status_code == 200
    clock[0] += 15 * 60 + 1
    assert attempt(central, "deputy-wang", "lianluo2026").status_code == 200


def test_a_right_password_clears_the_count():
    clock = [0.0]
    throttle = LoginThrottle(clock=lambda: clock[0])
    for _ in range(4):
        throttle.failed("staff-sun")
    throttle.succeeded("staff-sun")
    for _ in range(4):
        throttle.failed("staff-sun")
    assert throttle.wait_seconds("staff-sun") == 0
    throttle.failed("staff-sun")
    assert throttle.wait_seconds("staff-sun") == 15 * 60 + 1
