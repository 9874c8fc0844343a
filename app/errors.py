"""Domain errors with stable codes; the visible message is `error.<code>` in the catalog."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused an action; nothing was changed."""

    def __init__(self, code: str, *, field: str | None = None, **params: object):
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.field = field
        self.params = params

    @property
    def message_key(self) -> str:
        return f"error.{self.code}"
