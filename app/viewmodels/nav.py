"""Where a user can go: the navigation destinations of each role, and which one a route belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from app.actors import OFFICE_ROLES, Role


@dataclass(frozen=True)
class Destination:
    route: str
    label_key: str
    icon: str  # a name the view maps to its icon


HOME = Destination("/", "nav.home", "home")
ISSUES = Destination("/issues", "nav.issues", "issues")
TRIAGE = Destination("/triage", "shell.nav.triage", "triage")
SUPERVISE = Destination("/supervise", "shell.nav.supervise", "supervise")
QUEUE = Destination("/queue", "shell.nav.queue", "queue")
INSPECTIONS = Destination("/inspections", "inspect.nav", "inspections")
MAP = Destination("/map", "map.nav", "map")  # the office's; anyone opening it sees what they may see
PROJECTS = Destination("/projects", "projects.nav", "projects")  # 民生实事: every role follows them
YEAR = Destination("/year", "year_screen.nav", "year")  # the office's year: report figures, charts, map, summary
ME = Destination("/me", "nav.me", "me")

# Deputies and station staff record and follow issues and run inspections (检查);
# the office triages and supervises; a department works from its own queue, not the township's list.
# Everyone follows the livelihood projects (项目): deputies vote on them, units carry out their tasks.
FIELD = (HOME, ISSUES, INSPECTIONS, PROJECTS, ME)
OFFICE = (HOME, ISSUES, TRIAGE, SUPERVISE, PROJECTS, YEAR, ME)
DEPARTMENT = (HOME, QUEUE, PROJECTS, ME)

# Screens opened on top of another, with a back arrow: where each goes back to when opened directly.
DETAIL, CAPTURE, SYNC, DASHBOARD, LIST = "/issues/", "/capture", "/sync", "/dashboard", "/issues?"
INSPECTION = "/inspections/"
# The year's screens: the summary, the deputies' duty records (one: /year/deputies/<id>), a deputy's own.
YEAR_SUMMARY, YEAR_DEPUTIES, YEAR_RECORD, YEAR_LIST = "/year/summary", "/year/deputies", "/year/record", "/year/list"
# Screens that need the whole width for their work: no navigation rail beside them.
FULL_WIDTH = (DETAIL, CAPTURE, SYNC)


def destinations(role: str | None) -> tuple[Destination, ...]:
    if role in OFFICE_ROLES:
        return OFFICE
    if role == Role.DEPARTMENT:
        return DEPARTMENT
    return FIELD


def path_of(route: str) -> str:
    return urlsplit(route or "/").path or "/"


def is_top(route: str, role: str | None) -> bool:
    """A destination of this role's navigation, shown with no back arrow."""
    return "?" not in route and path_of(route) in {d.route for d in destinations(role)}


def allowed(route: str, role: str | None) -> bool:
    """Routes this role has a screen for (the server decides what each screen may show)."""
    path = path_of(route)
    if path in {"/triage", "/supervise", DASHBOARD}:
        return role in OFFICE_ROLES
    if path == "/queue":
        return role == Role.DEPARTMENT
    if _year_work(path):
        return role in OFFICE_ROLES  # the office's trainings, duty reports and quizzes; a deputy's are under /me/
    if path.startswith(YEAR.route) and path != YEAR_RECORD:
        return role in OFFICE_ROLES  # a deputy sees their own record only (/year/record), never another's
    return True


def parent_of(route: str, role: str | None) -> str:
    """The screen a pushed screen goes back to when nobody opened it from elsewhere (a reload, a link)."""
    path = path_of(route)
    if path.startswith(DETAIL):
        return QUEUE.route if role == Role.DEPARTMENT else ISSUES.route
    if route.startswith(LIST):
        return DASHBOARD if role in OFFICE_ROLES else HOME.route
    if path == SYNC:
        return ME.route
    if path.startswith(INSPECTION):
        return INSPECTIONS.route if INSPECTIONS in destinations(role) else HOME.route
    if path.startswith(PROJECTS.route + "/"):
        return PROJECTS.route
    if path.startswith(ME.route + "/") or _year_work(path):
        return _year_parent(path, role)
    if path == YEAR_RECORD:
        return YEAR_DEPUTIES if role in OFFICE_ROLES else ME.route
    if path.startswith(YEAR_DEPUTIES + "/"):
        return YEAR_DEPUTIES
    if path.startswith(YEAR.route + "/") or path in ("/map", DASHBOARD):
        return YEAR.route if role in OFFICE_ROLES else HOME.route
    return HOME.route


# The year's work: trainings, duty reports, the quiz. The office's at /trainings, /reports, /quiz (one: /quiz/<id>,
# a report: /reports/<call>/<id>); a deputy's own under 我的 (/me/quiz, /me/quiz/<id>, ...).
YEAR_WORK = ("/trainings", "/reports", "/quiz")


def _year_work(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in YEAR_WORK)


def _year_parent(path: str, role: str | None) -> str:
    """One level up (/reports/<call>/<id> → /reports/<call> → /reports); the lists go to the office's year or 我的."""
    parent = path.rsplit("/", 1)[0]
    if parent and parent != ME.route and (_year_work(parent) or parent.startswith(ME.route + "/")):
        return parent
    if parent != ME.route and "/year" in {d.route for d in destinations(role)}:
        return "/year"
    return ME.route


def section_of(route: str, role: str | None, parents: dict[str, str] | None = None) -> str:
    """The navigation destination a route belongs to (selected in the bar or rail)."""
    tops = {d.route for d in destinations(role)}
    for _ in range(8):  # a chain of pushed screens is short; never loop on a bad map
        if is_top(route, role):
            return path_of(route)
        route = (parents or {}).get(route) or parent_of(route, role)
    return HOME.route if HOME.route in tops else next(iter(tops))


def needs_rail(route: str) -> bool:
    path = path_of(route)
    return not any(path.startswith(prefix) if prefix.endswith("/") else path == prefix for prefix in FULL_WIDTH)


@dataclass(frozen=True)
class IssueSet:
    """A list of chosen issues, as a figure of the dashboard opens it: its title and the issues' ids."""

    title: str
    ids: tuple[str, ...]

    def route(self) -> str:
        return "/issues?" + urlencode({"title": self.title, "ids": ",".join(self.ids)})

    @classmethod
    def of(cls, route: str) -> "IssueSet | None":
        if not route.startswith(LIST):
            return None
        query = parse_qs(urlsplit(route).query)
        ids = tuple(i for i in ",".join(query.get("ids", [])).split(",") if i)
        return cls(title=(query.get("title") or [""])[0], ids=ids)
