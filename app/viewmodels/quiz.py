"""应知应会知识测试 on screen, with no page: a deputy takes a quiz offline; the office opens, follows and closes it.

    QuizListModel(ctx)              a deputy's quizzes: the open ones to take, what became of each hand-in
    TakeQuizModel(ctx, quiz_id)     one quiz for a deputy: start, answer question by question, hand in, the score
                                    after sync, and after the close each question right or wrong with its article
    QuizzesModel(ctx)               the office's quizzes, and the form that opens one (QuizForm)
    QuizResultsModel(ctx, quiz_id)  the office's view of one quiz: scores per deputy, per question once closed

The phone never holds the key of an open quiz: it says 已交卷，同步后出成绩 until the central store's score
comes back, and shows right and wrong only once the office has closed the quiz and its key has arrived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Role
from app.clock import CHINA, as_utc, to_china, utcnow
from app.errors import DomainError
from app.issues import today_in_china
from app.models import Person
from app.problems import Problem
from app.quiz import (Quiz, QuizAttempt, QuizQuestion, Sheet, allow_retake, attempts_allowed, attempts_of,
                      banks_here, close_quiz, hand_in, open_quiz, quiz_results, start_attempt)
from app.records import StoreContext
from app.store import get_meta, set_meta
from app.viewmodels.context import AppContext
from app.viewmodels.issue_actions import Option
from app.viewmodels.office import Chip, Tone, day_text
from app.viewmodels.projects import Field, Fields, _Bad

QUIZZES = "/quiz"  # the office's; one quiz: /quiz/<id>
MY_QUIZZES = "/me/quiz"  # a deputy's; one quiz: /me/quiz/<id>
SHEET_KEY = "quiz.sheet:{quiz}:{person}"  # an attempt under way on this device: its start and answers so far
TYPES = ("single", "multiple", "truefalse")


def quiz_chip(ctx: AppContext, status: str) -> Chip:
    return Chip(ctx.t.of_kind("status", "quiz", status), Tone.GOOD if status == "open" else Tone.QUIET)


def closes_text(ctx: AppContext, closes_at: datetime | None) -> str:
    if closes_at is None:
        return ""
    local = to_china(as_utc(closes_at))
    return ctx.t("quiz.closes", day=day_text(ctx, local.date()), time=local.strftime("%H:%M"))


def quiz_facts(ctx: AppContext, quiz: Quiz) -> str:
    """20 题 · 限时 30 分钟 · 可重考 1 次 · 12月9日 18:00 截止."""
    t = ctx.t
    parts = [t("quiz.count", n=quiz.question_count), t("quiz.limit", n=quiz.time_limit_minutes)]
    if quiz.retakes:
        parts.append(t("quiz.retakes", n=quiz.retakes))
    parts.append(closes_text(ctx, quiz.closes_at))
    return " · ".join(p for p in parts if p)


def score_text(ctx: AppContext, attempt: QuizAttempt) -> str:
    if attempt.score is None:
        return ctx.t("quiz.waiting_score")
    return ctx.t("quiz.score", score=attempt.score, correct=attempt.correct or 0, total=attempt.total)


def option_label(ctx: AppContext, type_: str, key: str, text: str) -> str:
    """A．上一级人民代表大会选举, or 正确 / 错误 for a true/false question (in the screen's language)."""
    return ctx.t(f"quiz.tf.{key}") if type_ == "truefalse" else ctx.t("quiz.option", letter=key, text=text)


def _refusal(ctx: AppContext, error: DomainError) -> str:
    return ctx.t(error.code.message_key, **error.params)


def _is_open(quiz: Quiz, now: datetime) -> bool:
    return quiz.status == "open" and (quiz.closes_at is None or as_utc(quiz.closes_at) > now)


def _quiz_row(session: Session, quiz_id: str) -> dict[str, Any] | None:
    return StoreContext(session).row("quiz", quiz_id)


# -- a deputy's list --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MyQuizRow:
    id: str
    title: str
    status: Chip
    facts: str
    mine: str  # 还未作答 / 已交卷，同步后出成绩 / 得分 85（17 / 20 题答对）
    can_start: bool
    action: str  # 开始答题 / 继续答题 / 重考


class QuizListModel:
    """知识测试: the quizzes open to this deputy, then the closed ones they took."""

    def __init__(self, ctx: AppContext, *, now: Callable[[], datetime] = utcnow):
        self.ctx, self.now = ctx, now
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        now = self.now()
        self.rows: list[MyQuizRow] = []
        if user is None:
            return
        with ctx.session() as session:
            quizzes = list(session.exec(select(Quiz).order_by(col(Quiz.created_at).desc())))
            for quiz in quizzes:
                if quiz.roll_ids and user.id not in quiz.roll_ids:
                    continue
                own = attempts_of(session, quiz.id, user.id)
                open_now = _is_open(quiz, now)
                if not open_now and not own:
                    continue
                row = _quiz_row(session, quiz.id) or {}
                left = attempts_allowed(row, user.id) - len(own) if row else 0
                under_way = bool(get_meta(session, SHEET_KEY.format(quiz=quiz.id, person=user.id)))
                mine = score_text(ctx, own[-1]) if own else t("quiz.not_taken")
                action = t("quiz.resume" if under_way else "quiz.retake" if own else "quiz.start")
                self.rows.append(MyQuizRow(quiz.id, quiz.title, quiz_chip(ctx, "open" if open_now else "closed"),
                                           quiz_facts(ctx, quiz), mine, open_now and (left > 0 or under_way), action))
        self.rows.sort(key=lambda r: not r.can_start)

    @property
    def to_take(self) -> int:
        """Quizzes this deputy may still take now (for 我的: 知识测试 · 1 场待考)."""
        return sum(1 for r in self.rows if r.can_start and r.mine == self.ctx.t("quiz.not_taken"))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("quiz.empty_mine")


# -- a deputy takes a quiz --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerOption:
    key: str
    text: str
    label: str  # A．上一级人民代表大会选举 / 正确
    selected: bool


@dataclass(frozen=True)
class ReviewRow:
    """After the close: a question of the deputy's last attempt, right or wrong, with the article it comes from."""

    number: int
    text: str
    right: bool
    verdict: str  # 答对 / 答错
    mine: str  # 您的答案：B
    answer: str  # 正确答案：C．五年
    source: str  # 依据：《中华人民共和国宪法》第九十八条


class TakeQuizModel:
    """One quiz for a deputy: its facts, their attempts, the sheet being answered, the review after the close."""

    def __init__(self, ctx: AppContext, quiz_id: str, *, now: Callable[[], datetime] = utcnow):
        self.ctx, self.quiz_id, self.now = ctx, quiz_id, now
        self.sheet: Sheet | None = None
        self.answers: dict[str, list[str]] = {}
        self.index = 0
        self.error = ""
        self.notice = ""
        self.reload()
        self._resume()

    # -- reading ----------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        self.user = ctx.current_user()
        with ctx.session() as session:
            quiz = session.get(Quiz, self.quiz_id)
            self.found = quiz is not None and self.user is not None
            if not self.found:
                self.title, self.facts, self.attempts, self.review, self.can_start = "", "", [], [], False
                self.status = Chip("", Tone.QUIET)
                return
            now = self.now()
            self.title = quiz.title
            self.status = quiz_chip(ctx, "open" if _is_open(quiz, now) else "closed")
            self.facts = quiz_facts(ctx, quiz)
            own = attempts_of(session, quiz.id, self.user.id)
            self.attempts = [t("quiz.attempt_line", n=a.attempt, result=score_text(ctx, a)) for a in own]
            if own and own[-1].score is not None:
                self.notice = ""  # 已交卷，同步后出成绩 said its piece: the score is here
            row = _quiz_row(session, quiz.id) or {}
            self.left = attempts_allowed(row, self.user.id) - len(own)
            self.can_start = _is_open(quiz, now) and self.left > 0 and self.sheet is None
            self.start_label = t("quiz.retake" if own else "quiz.start")
            self.review = self._review(session, quiz, own[-1]) if quiz.key and own else []
            self.closed_note = "" if quiz.key or not own else t("quiz.key_later")

    def _review(self, session: Session, quiz: Quiz, attempt: QuizAttempt) -> list[ReviewRow]:
        t = self.ctx.t
        rows = {q.id: q for q in session.exec(select(QuizQuestion).where(col(QuizQuestion.id)
                                                                         .in_(attempt.question_ids)))}
        review = []
        for number, qid in enumerate(attempt.question_ids, start=1):
            q = rows.get(qid)
            if q is None:
                continue
            texts = {o["key"]: o["text"] for o in q.options}
            chosen, key = sorted(attempt.answers.get(qid) or ()), sorted(quiz.key.get(qid) or ())
            right = bool(key) and chosen == key
            review.append(ReviewRow(
                number, q.text, right, t("quiz.right" if right else "quiz.wrong"),
                t("quiz.your_answer", answer=self._keys(q, chosen) if chosen else t("quiz.no_answer")),
                t("quiz.right_answer", answer="；".join(self._option_label(q, k, texts[k]) for k in key if k in texts)),
                t("quiz.source", source=q.source) if q.source else ""))
        return review

    def _keys(self, q: QuizQuestion, keys: list[str]) -> str:
        return "、".join(self.ctx.t(f"quiz.tf.{k}") for k in keys) if q.type == "truefalse" else "、".join(keys)

    def _option_label(self, q: QuizQuestion, key: str, text: str) -> str:
        return option_label(self.ctx, q.type, key, text)

    # -- the sheet --------------------------------------------------------------------------------------------------
    def _slot(self) -> str:
        return SHEET_KEY.format(quiz=self.quiz_id, person=self.user.id if self.user else "")

    def _resume(self) -> None:
        """An attempt started on this device before (the app was closed): the same questions, the same clock."""
        if not self.found:
            return
        with self.ctx.session() as session:
            kept = get_meta(session, self._slot())
        if not kept:
            return
        data = json.loads(kept)
        try:
            with self.ctx.session() as session:
                self.sheet = start_attempt(session, actor=self.ctx.actor(), quiz_id=self.quiz_id,
                                           now=datetime.fromisoformat(data["started_at"]))
        except DomainError:
            self._forget()
            return
        self.answers = {q: list(a) for q, a in (data.get("answers") or {}).items()}
        self.index = min(int(data.get("index") or 0), len(self.sheet.questions) - 1)
        self.reload()

    def _keep(self) -> None:
        if self.sheet is None:
            return
        with self.ctx.session() as session:
            set_meta(session, self._slot(), json.dumps({"started_at": self.sheet.started_at.isoformat(),
                                                        "answers": self.answers, "index": self.index}))
            session.commit()

    def _forget(self) -> None:
        with self.ctx.session() as session:
            set_meta(session, self._slot(), "")
            session.commit()

    def start(self) -> bool:
        """开始答题: draw this deputy's questions and start the clock (offline: nothing is sent)."""
        self.error = self.notice = ""
        try:
            with self.ctx.session() as session:
                self.sheet = start_attempt(session, actor=self.ctx.actor(), quiz_id=self.quiz_id, now=self.now())
        except DomainError as refusal:
            self.error = _refusal(self.ctx, refusal)
            return False
        self.answers, self.index = {}, 0
        self._keep()
        self.reload()
        return True

    @property
    def taking(self) -> bool:
        return self.sheet is not None

    @property
    def question(self):
        return self.sheet.questions[self.index] if self.sheet else None

    @property
    def progress_text(self) -> str:
        return self.ctx.t("quiz.progress", n=self.index + 1, total=len(self.sheet.questions)) if self.sheet else ""

    @property
    def type_text(self) -> str:
        q = self.question
        return self.ctx.t(f"quiz.type.{q.type}") if q else ""

    @property
    def options(self) -> list[AnswerOption]:
        q = self.question
        if q is None:
            return []
        chosen = self.answers.get(q.id) or []
        out = []
        for key, text in q.options:
            out.append(AnswerOption(key, text, option_label(self.ctx, q.type, key, text), key in chosen))
        return out

    def choose(self, key: str) -> None:
        """Tap an option: the one answer of a single-choice or true/false question; toggled in a multiple choice."""
        q = self.question
        if q is None or key not in {k for k, _ in q.options}:
            return
        chosen = list(self.answers.get(q.id) or [])
        if q.type == "multiple":
            chosen = [k for k in chosen if k != key] if key in chosen else chosen + [key]
        else:
            chosen = [key]
        self.answers[q.id] = chosen
        self.error = ""
        self._keep()

    def go_to(self, index: int) -> None:
        if self.sheet is not None:
            self.index = max(0, min(index, len(self.sheet.questions) - 1))
            self._keep()

    def next(self) -> None:
        self.go_to(self.index + 1)

    def previous(self) -> None:
        self.go_to(self.index - 1)

    @property
    def is_first(self) -> bool:
        return self.index == 0

    @property
    def is_last(self) -> bool:
        return self.sheet is not None and self.index == len(self.sheet.questions) - 1

    def answered(self, number_index: int) -> bool:
        return bool(self.sheet and self.answers.get(self.sheet.questions[number_index].id))

    @property
    def unanswered(self) -> int:
        return sum(1 for q in self.sheet.questions if not self.answers.get(q.id)) if self.sheet else 0

    @property
    def seconds_left(self) -> int:
        if self.sheet is None:
            return 0
        return max(0, int((as_utc(self.sheet.ends_at) - self.now()).total_seconds()))

    @property
    def time_left_text(self) -> str:
        left = self.seconds_left
        return self.ctx.t("quiz.time_left", time=f"{left // 60:02d}:{left % 60:02d}")

    @property
    def time_up(self) -> bool:
        return self.sheet is not None and self.seconds_left <= 0

    @property
    def confirm_text(self) -> str:
        """Asked before handing in: how many questions are still blank ('' when none is)."""
        return self.ctx.t("quiz.confirm_unanswered", n=self.unanswered) if self.unanswered else ""

    def hand_in(self) -> bool:
        """交卷: the attempt waits in the outbox; the central store scores it when it syncs."""
        if self.sheet is None:
            return False
        sheet, now = self.sheet, self.now()
        # A tap after the limit (or the screen's own clock running out) hands in at the limit.
        at = min(now, as_utc(sheet.ends_at))
        try:
            with self.ctx.session() as session:
                hand_in(session, actor=self.ctx.actor(), sheet=sheet, answers=self.answers, now=at)
        except DomainError as refusal:
            self.error = _refusal(self.ctx, refusal)
            if refusal.code in (Problem.QUIZ_CLOSED, Problem.QUIZ_ALREADY_SUBMITTED, Problem.QUIZ_TIME_UP):
                self.sheet = None
                self._forget()
                self.reload()
            return False
        self.sheet, self.answers, self.index = None, {}, 0
        self._forget()
        self.notice = self.ctx.t("quiz.handed_in")
        self.reload()
        self.ctx.saved_locally()
        return True


# -- the office ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuizRow:
    id: str
    title: str
    status: Chip
    facts: str
    figures: str  # 参加 12 人 · 14 人次 · 平均 86.5 分


def quiz_figures(ctx: AppContext, session: Session, quiz: Quiz) -> str:
    results = quiz_results(session, quiz)
    parts = [ctx.t("quiz.takers", n=results.takers), ctx.t("quiz.attempts", n=results.attempts)]
    if results.average is not None:
        parts.append(ctx.t("quiz.average", n=results.average))
    return " · ".join(parts)


class QuizzesModel:
    """The office's 知识测试: every quiz, the open ones first, each with its takers and average."""

    def __init__(self, ctx: AppContext, *, now: Callable[[], datetime] = utcnow):
        self.ctx, self.now = ctx, now
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        user = ctx.current_user()
        self.is_office = user is not None and user.role in OFFICE_ROLES
        now = self.now()
        with ctx.session() as session:
            quizzes = list(session.exec(select(Quiz).order_by(col(Quiz.created_at).desc())))
            self.rows = [QuizRow(q.id, q.title, quiz_chip(ctx, "open" if _is_open(q, now) else "closed"),
                                 quiz_facts(ctx, q), quiz_figures(ctx, session, q)) for q in quizzes]
        self.rows.sort(key=lambda r: r.status.tone != Tone.GOOD)

    @property
    def heading(self) -> str:
        return self.ctx.t("quiz.office_heading", n=len(self.rows))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("quiz.empty")

    def form(self) -> "QuizForm":
        return QuizForm(self.ctx)


@dataclass
class QuizForm(Fields):
    """开启测试: a title, how many questions, the time limit, retakes, the last day (a bank's whole pool)."""

    values: dict[str, Any] = field(default_factory=dict, init=False)
    quiz_id: str | None = field(default=None, init=False)
    today: date = field(default_factory=today_in_china)

    def __post_init__(self) -> None:
        with self.ctx.session() as session:
            self.banks = banks_here(session)
        self.bank_id = max(self.banks, key=self.banks.get) if self.banks else ""
        self.values = {"title": self.ctx.t("quiz.form.default_title", year=self.today.year),
                       "question_count": "20", "time_limit": "30", "retakes": "0",
                       "closes_on": (self.today + timedelta(days=7)).isoformat()}

    @property
    def title(self) -> str:
        return self.ctx.t("quiz.form.title")

    @property
    def pool(self) -> int:
        return self.banks.get(self.bank_id, 0)

    @property
    def fields(self) -> list[Field]:
        return [self._field("title", "line", "quiz.form.name", required=True),
                self._field("question_count", "number", "quiz.form.count", required=True, pool=self.pool),
                self._field("time_limit", "number", "quiz.form.limit", required=True),
                self._field("retakes", "number", "quiz.form.retakes"),
                self._field("closes_on", "date", "quiz.form.closes_on", required=True)]

    def _whole(self, name: str, low: int, high: int) -> int:
        text = str(self.values.get(name) or "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise _Bad(name, "quiz.form.whole_number", value=text or "—", low=low, high=high)
        return int(text)

    def submit(self) -> bool:
        if not str(self.values["title"]).strip():
            return self.refuse(Problem.TITLE_REQUIRED.message_key, "title")
        if not self.pool:
            return self.refuse("quiz.form.no_bank")

        def write(session: Session) -> None:
            count = self._whole("question_count", 1, min(200, self.pool))
            limit = self._whole("time_limit", 1, 600)
            retakes = self._whole("retakes", 0, 10)
            last = self._date("closes_on", required=True)
            if last < self.today:
                raise _Bad("closes_on", "quiz.form.closes_past")
            closes = datetime.combine(last, time(23, 59), CHINA)
            quiz = open_quiz(session, actor=self.ctx.actor(), title=str(self.values["title"]).strip(),
                             bank_id=self.bank_id, question_count=count, time_limit_minutes=limit,
                             closes_at=closes, retakes=retakes)
            self.quiz_id = quiz.id

        return self._attempt(write, fields=[f.name for f in self.fields])


@dataclass(frozen=True)
class PersonLine:
    person_id: str
    name: str
    result: str  # 最好成绩 92 分 · 作答 2 次 / 已交卷，等待同步评分 / 未参加
    can_retake: bool


@dataclass(frozen=True)
class QuestionLine:
    number: int
    text: str
    figures: str  # 答对 8 / 10 人次（80%）
    share: float  # right of asked, 0..1
    weak: bool  # fewer than six in ten right: worth a training


class QuizResultsModel:
    """One quiz for the office: its facts, each deputy's best score, each question's right answers once closed."""

    def __init__(self, ctx: AppContext, quiz_id: str, *, now: Callable[[], datetime] = utcnow):
        self.ctx, self.quiz_id, self.now = ctx, quiz_id, now
        self.error = ""
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        with ctx.session() as session:
            quiz = session.get(Quiz, self.quiz_id)
            self.found = quiz is not None
            if quiz is None:
                self.title, self.facts, self.figures, self.people, self.questions = "", "", "", [], []
                self.not_taken, self.can_close, self.key_note = [], False, ""
                self.status = Chip("", Tone.QUIET)
                return
            open_now = _is_open(quiz, self.now())
            self.title, self.facts = quiz.title, quiz_facts(ctx, quiz)
            self.status = quiz_chip(ctx, "open" if open_now else "closed")
            self.can_close = quiz.status == "open"
            results = quiz_results(session, quiz)
            self.figures = quiz_figures(ctx, session, quiz)
            row = _quiz_row(session, quiz.id) or {}
            self.people = []
            for p in results.people:
                if p.best is None:
                    result = t("quiz.person_waiting", n=p.attempts)
                else:
                    result = t("quiz.person_best", score=p.best, n=p.attempts)
                more = open_now and p.attempts >= attempts_allowed(row, p.person_id)
                self.people.append(PersonLine(p.person_id, p.name, result, more))
            roll = quiz.roll_ids or [p.id for p in session.exec(select(Person).where(Person.role == Role.DEPUTY.value)
                                                                .order_by(col(Person.name)))]
            took = {p.person_id for p in results.people}
            names = {p.id: p.name for p in session.exec(select(Person).where(col(Person.id).in_(roll)))}
            self.not_taken = [names[i] for i in roll if i not in took and i in names]
            self.questions = [QuestionLine(q.number, q.text, t("quiz.question_figures", right=q.right, asked=q.asked,
                                                               percent=round(100 * q.right / q.asked)),
                                           q.right / q.asked, q.right / q.asked < 0.6)
                              for q in sorted(results.questions, key=lambda q: q.right / q.asked)]
            self.key_note = "" if quiz.key else t("quiz.per_question_later" if quiz.status == "open"
                                                  else "quiz.key_waiting")

    @property
    def people_title(self) -> str:
        return self.ctx.t("quiz.people_title", n=len(self.people))

    @property
    def not_taken_title(self) -> str:
        return self.ctx.t("quiz.not_taken_title", n=len(self.not_taken))

    def close(self) -> bool:
        """结束测试: no more hand-ins; the central store publishes the key with the close."""
        return self._step(lambda session: close_quiz(session, actor=self.ctx.actor(), quiz_id=self.quiz_id))

    def allow_retake(self, person_id: str) -> bool:
        return self._step(lambda session: allow_retake(session, actor=self.ctx.actor(), quiz_id=self.quiz_id,
                                                       person_id=person_id))

    def _step(self, action: Callable[[Session], object]) -> bool:
        self.error = ""
        try:
            with self.ctx.session() as session:
                action(session)
        except DomainError as refusal:
            self.error = _refusal(self.ctx, refusal)
            return False
        self.reload()
        return True
