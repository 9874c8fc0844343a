"""Reference data every replica shares: stations, departments, categories, people.

Ids are derived from stable codes, so the central store and every phone agree on
them without talking to each other first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from app.models import Category, Department, Person, Station, StationKind

_NAMESPACE = uuid.UUID("6f1d2c3e-7a4b-4c1d-9e2f-5a6b7c8d9e0f")


def stable_id(kind: str, code: str) -> str:
    """Return the id of a reference record from its kind and code."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{code}"))


@dataclass(frozen=True)
class Ref:
    code: str
    name: str
    name_en: str


# Where each station is: its address and WGS-84 position.
STATION_PLACES = {
    "centre": ("桔园镇人民政府院内", 33.1560, 107.3250),
    "juyuan": ("桔园村村委会", 33.1545, 107.3305),
    "qixing": ("七星村村委会", 33.1715, 107.3110),
    "zaoyuan": ("枣园村村委会", 33.1410, 107.3560),
    "liulin": ("柳林村村委会", 33.1612, 107.2975),
    "xinzhuang": ("新庄村村委会", 33.1830, 107.3395),
    "heba": ("河坝村村委会", 33.1305, 107.3015),
    "shimen": ("石门村村委会", 33.1255, 107.3690),
}

STATIONS = (
    Ref("centre", "桔园镇人大代表中心联络站", "Juyuan town centre liaison station"),
    Ref("juyuan", "桔园片区联络站", "Juyuan area station"),
    Ref("qixing", "七星片区联络站", "Qixing area station"),
    Ref("zaoyuan", "枣园片区联络站", "Zaoyuan area station"),
    Ref("liulin", "柳林片区联络站", "Liulin area station"),
    Ref("xinzhuang", "新庄片区联络站", "Xinzhuang area station"),
    Ref("heba", "河坝片区联络站", "Heba area station"),
    Ref("shimen", "石门片区联络站", "Shimen area station"),
)

DEPARTMENTS = (
    Ref("water", "镇水利站", "Township water station"),
    Ref("agri", "镇农业综合服务站", "Township agricultural service station"),
    Ref("build", "镇村镇建设办公室", "Township construction office"),
    Ref("safety", "镇应急管理办公室", "Township emergency management office"),
    Ref("school", "镇中心学校", "Township central school"),
    Ref("eco", "镇生态环境保护办公室", "Township environmental protection office"),
    Ref("land", "镇自然资源所", "Township natural resources office"),
)

CATEGORIES = (
    Ref("water", "供水与饮水安全", "Water supply and drinking water"),
    Ref("roads", "道路交通", "Roads and transport"),
    Ref("agri", "农业与柑桔产业", "Agriculture and the citrus industry"),
    Ref("eco", "生态环境", "Ecology and environment"),
    Ref("school", "校园安全", "School safety"),
    Ref("safety", "安全生产", "Safety in production"),
    Ref("land", "土地", "Land"),
    Ref("other", "其他", "Other"),
)


def seed_reference(session: Session) -> None:
    """Insert the township's stations, departments and categories where missing; commits."""
    for order, ref in enumerate(STATIONS):
        kind = StationKind.CENTRE if ref.code == "centre" else StationKind.AREA
        address, latitude, longitude = STATION_PLACES.get(ref.code, ("", None, None))
        _upsert(session, Station(id=stable_id("station", ref.code), code=ref.code, name=ref.name,
                                 name_en=ref.name_en, kind=kind.value, sort_order=order, address=address,
                                 latitude=latitude, longitude=longitude))
    for order, ref in enumerate(DEPARTMENTS):
        _upsert(session, Department(id=stable_id("department", ref.code), code=ref.code, name=ref.name,
                                    name_en=ref.name_en, sort_order=order))
    for order, ref in enumerate(CATEGORIES):
        _upsert(session, Category(id=stable_id("category", ref.code), code=ref.code, name=ref.name,
                                  name_en=ref.name_en, sort_order=order))
    session.commit()
    from app.records import kinds  # the kinds' own reference data (e.g. the inspection templates the app ships)

    for kind in kinds():
        if kind.seed is not None:
            kind.seed(session)


def _upsert(session: Session, row) -> None:
    if session.get(type(row), row.id) is None:
        session.add(row)
        session.flush()


def add_person(session: Session, *, code: str, name: str, role: str, station: str | None = None,
               department: str | None = None, phone: str = "") -> Person:
    """Insert a person with a stable id where missing; no commit."""
    person = Person(id=stable_id("person", code), name=name, role=role,
                    station_id=stable_id("station", station) if station else None,
                    department_id=stable_id("department", department) if department else None, phone=phone)
    existing = session.get(Person, person.id)
    if existing is not None:
        return existing
    session.add(person)
    session.flush()
    return person
