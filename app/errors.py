"""Domain errors: a problem of the one catalogue (app.problems), the field it is about, and its details."""

from __future__ import annotations

from app.problems import Problem


class DomainError(Exception):
    """A rule refused an action; nothing was changed."""

    def __init__(self, problem: Problem, *, field: str | None = None, **params: object):
        if not isinstance(problem, Problem):
            raise TypeError(f"a DomainError needs a Problem, not {problem!r}")
        super().__init__(f"{problem.value} {params}" if params else problem.value)
        self.code = problem
        self.field = field
        self.params = params

    @property
    def problem(self) -> Problem:
        return self.code

    @property
    def message_key(self) -> str:
        return self.code.message_key
