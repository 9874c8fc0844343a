"""What every screen needs: the store, the photo store, settings, the translator and who is using the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.actors import Actor
from app.i18n import Translator
from app.models import Category, Department, Person, Station
from app.outbox import count_pending
from app.photos import PhotoStore
from app.settings import Settings
from app.store import get_meta, set_meta

USER_KEY = "user_id"
LANGUAGE_KEY = "language"
WATERMARK_KEY = "watermark_photos"


@dataclass
class AppContext:
    """Shared by the view-models of one running app."""

    engine: Engine
    photos: PhotoStore
    settings: Settings
    t: Translator = field(init=False)
    listeners: list[Callable[[], None]] = field(default_factory=list)
    syncer: Any = None  # the background sync (sync.service.SyncService), absent when running alone

    def __post_init__(self) -> None:
        with self.session() as session:
            language = get_meta(session, LANGUAGE_KEY, self.settings.language)
        self.t = Translator(language)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def current_user(self) -> Person | None:
        with self.session() as session:
            user_id = get_meta(session, USER_KEY)
            return session.get(Person, user_id) if user_id else None

    def actor(self) -> Actor:
        person = self.current_user()
        if person is None:
            raise LookupError("no user is signed in on this device")
        return Actor.of(person)

    def sign_in_locally(self, person_id: str) -> None:
        """Remember who uses this device, so the app works offline as that person."""
        with self.session() as session:
            set_meta(session, USER_KEY, person_id)
            session.commit()
        self.changed()

    def set_language(self, language: str) -> None:
        with self.session() as session:
            set_meta(session, LANGUAGE_KEY, language)
            session.commit()
        self.t = Translator(language)
        self.changed()

    @property
    def online(self) -> bool:
        """True when the central store answers (the sync service's probe, else its last run)."""
        return self.syncer is not None and bool(self.syncer.online)

    @property
    def watermark_photos(self) -> bool:
        """Whether new photos get the evidence stamp: the user's choice, else the settings' default."""
        with self.session() as session:
            chosen = get_meta(session, WATERMARK_KEY)
        return self.settings.watermark_photos if chosen == "" else chosen == "1"

    def set_watermark_photos(self, enabled: bool) -> None:
        with self.session() as session:
            set_meta(session, WATERMARK_KEY, "1" if enabled else "0")
            session.commit()

    def pending_count(self) -> int:
        with self.session() as session:
            return count_pending(session)

    def subscribe(self, listener: Callable[[], None]) -> None:
        self.listeners.append(listener)

    def saved_locally(self) -> None:
        """A change was recorded on this device: send it now if the network allows, and redraw."""
        if self.syncer is not None:
            self.syncer.sync_now()
        self.changed()

    def changed(self) -> None:
        """Tell every screen that local data changed, so they read it again."""
        for listener in list(self.listeners):
            listener()

    # Names of reference records in the current language.
    def name_of(self, record: Station | Department | Category | None) -> str:
        if record is None:
            return ""
        return record.name_en if self.t.language == "en" and record.name_en else record.name

    def categories(self) -> list[Category]:
        with self.session() as session:
            return list(session.exec(select(Category).where(col(Category.active).is_(True)).order_by(Category.sort_order)))

    def stations(self) -> list[Station]:
        with self.session() as session:
            return list(session.exec(select(Station).order_by(Station.sort_order)))
