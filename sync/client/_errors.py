"""What a sync run can fail with: the server's own refusals, a refused sign-in, no network."""

from __future__ import annotations

from app.problems import Problem


class SyncError(Exception):
    """The server answered with an error the user or the app must act on."""

    def __init__(self, code: str, message: str = "", status: int = 0):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


class LoginRefused(SyncError):
    """Wrong username or password, or an account that may not sign in."""


class Offline(SyncError):
    """No answer from the server (no network, server down, connection cut)."""

    def __init__(self, message: str = ""):
        super().__init__(Problem.OFFLINE, message)


class AuthRequired(SyncError):
    """The server no longer accepts this device's token: sign in again."""
