"""Me: who uses this device, the language, the app's version."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from app.actors import OFFICE_ROLES
from app.models import Station
from app.settings import LANGUAGES
from app.viewmodels.context import AppContext
from app.viewmodels.sync import switch_refusal


@dataclass(frozen=True)
class MeEntry:
    """A line of 我的 that opens a screen: 知识测试 · 1 场待考."""

    key: str  # quiz | trainings | reports
    route: str
    label: str
    badge: str  # '' when nothing waits


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

    def year_entries(self) -> list[MeEntry]:
        """知识测试, 培训, 述职报告: a deputy's own (with what waits for them), or the office's screens."""
        from app.viewmodels.quiz import MY_QUIZZES, QUIZZES, QuizListModel
        from app.viewmodels.reports import MY_REPORTS, REPORTS, MyReportsModel
        from app.viewmodels.trainings import MY_TRAININGS, TRAININGS, MyTrainingsModel

        t, user = self.ctx.t, self.ctx.current_user()
        if user is None:
            return []
        if user.role in OFFICE_ROLES:
            return [MeEntry("quiz", QUIZZES, t("me.quiz"), ""), MeEntry("trainings", TRAININGS, t("me.trainings"), ""),
                    MeEntry("reports", REPORTS, t("me.reports"), "")]
        quiz, trainings, reports = QuizListModel(self.ctx), MyTrainingsModel(self.ctx), MyReportsModel(self.ctx)
        return [MeEntry("quiz", MY_QUIZZES, t("me.quiz"), t("me.quiz_badge", n=quiz.to_take) if quiz.to_take else ""),
                MeEntry("trainings", MY_TRAININGS, t("me.trainings"),
                        t("me.trainings_badge", n=trainings.to_confirm) if trainings.to_confirm else ""),
                MeEntry("reports", MY_REPORTS, t("me.reports"),
                        t("me.reports_badge", n=reports.to_write) if reports.to_write else "")]

    def record_entry(self) -> MeEntry | None:
        """我的履职: a deputy's own duty record of this year (None for other roles)."""
        from app.viewmodels.nav import YEAR_RECORD
        from app.viewmodels.year import DEPUTY_ROLES

        user = self.ctx.current_user()
        if user is None or user.role not in DEPUTY_ROLES:
            return None
        return MeEntry("record", YEAR_RECORD, self.ctx.t("year_screen.my_record"), "")

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
