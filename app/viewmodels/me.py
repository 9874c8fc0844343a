"""Me: who uses this device, the language, the app's version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from app.models import Station
from app.settings import LANGUAGES
from app.viewmodels.context import AppContext
from app.viewmodels.sync import switch_refusal


class MeModel:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.refresh()

    def refresh(self) -> None:
        t = self.ctx.t
        user = self.ctx.current_user()
        self.name = user.name if user else t("me.nobody")
        self.role = t(f"role.{user.role}") if user else ""
        station = None
        if user and user.station_id:
            with self.ctx.session() as session:
                station = session.get(Station, user.station_id)
        self.station = self.ctx.name_of(station)
        self.language = t.language
        self.watermark = self.ctx.watermark_photos

    def language_options(self) -> list[tuple[str, str]]:
        return [(code, self.ctx.t(f"language.{code}")) for code in LANGUAGES]

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.ctx.set_language(language)
        self.refresh()

    def switch_refusal(self) -> str:
        """Why 切换用户 cannot go ahead now ('' when it can): this user's changes still wait to sync."""
        return switch_refusal(self.ctx)

    def set_watermark(self, enabled: bool) -> None:
        self.ctx.set_watermark_photos(enabled)
        self.watermark = enabled

    @property
    def app_version(self) -> str:
        try:
            return version("lianluo")
        except PackageNotFoundError:
            return "dev"
