"""Capture: one form that autosaves as the user types and never loses a photo or a word."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from app.clock import utcnow
from app.drafts import discard_draft, latest_draft, save_draft
from app.errors import DomainError
from app.issues import IssueDraft, Location, LocationSource, PhotoRef, PlaceType, capture_issue, make_location
from app.photos import PhotoError, ProcessedPhoto, Watermark, process_photos
from app.viewmodels.context import AppContext
from app.viewmodels.issue_detail import location_text

TEXT_FIELDS = ("title", "description", "category_id", "place_type", "place_name", "latitude_text", "longitude_text")


@dataclass(frozen=True)
class CapturedPhoto:
    sha256: str
    width: int
    height: int
    byte_size: int
    taken_at: str | None
    latitude: float | None
    longitude: float | None
    source_sha256: str = ""  # of the file as picked, so the same file is not added twice

    def ref(self) -> PhotoRef:
        return PhotoRef(sha256=self.sha256, width=self.width, height=self.height, byte_size=self.byte_size,
                        taken_at=datetime.fromisoformat(self.taken_at) if self.taken_at else None,
                        latitude=self.latitude, longitude=self.longitude)


class CaptureModel:
    """The capture form's state and actions; `on_change` is called when the view should redraw."""

    def __init__(self, ctx: AppContext, on_change: Callable[[], None] | None = None):
        self.ctx = ctx
        self.on_change = on_change or (lambda: None)
        self.draft_id: str | None = None
        self.title = ""
        self.description = ""
        self.category_id = ""
        self.place_type = PlaceType.OTHER.value
        self.place_name = ""
        self.latitude_text = ""
        self.longitude_text = ""
        self.photos: list[CapturedPhoto] = []
        self.location: Location | None = None
        self.errors: dict[str, str] = {}
        self.notices: list[str] = []  # photo problems and the like, shown until dismissed
        self.progress: tuple[int, int] | None = None  # photos processed / total while busy
        self.saved_issue_id: str | None = None
        self.reopened = False  # True when the form opened on a draft left from before
        self._reopen()

    # -- options --------------------------------------------------------------------------------------------------
    def category_options(self) -> list[tuple[str, str]]:
        return [(c.id, self.ctx.name_of(c)) for c in self.ctx.categories()]

    def place_type_options(self) -> list[tuple[str, str]]:
        return [(p.value, self.ctx.t(f"place.{p.value}")) for p in PlaceType]

    @property
    def location_label(self) -> str:
        loc = self.location
        if loc is None:
            return self.ctx.t("location.none")
        return location_text(self.ctx.t, loc.latitude, loc.longitude, loc.accuracy_m, loc.source)

    @property
    def busy(self) -> bool:
        return self.progress is not None

    @property
    def progress_text(self) -> str:
        if self.progress is None:
            return ""
        return self.ctx.t("photos.processing", done=self.progress[0], total=self.progress[1])

    # -- editing --------------------------------------------------------------------------------------------------
    def set_field(self, name: str, value: str) -> None:
        """Change one text or choice field and autosave the draft."""
        if name not in TEXT_FIELDS:
            raise ValueError(f"unknown capture field {name!r}")
        setattr(self, name, value)
        self.errors.pop(name, None)
        self._autosave()

    async def add_photos(self, files: list[tuple[str, bytes]]) -> None:
        """Process picked or taken photos off the UI loop, keep the good ones, explain the bad ones."""
        known = {p.source_sha256 for p in self.photos}
        fresh = []
        for name, data in files:
            digest = hashlib.sha256(data).hexdigest()
            if digest not in known:
                known.add(digest)
                fresh.append((name, data, digest))
        if not fresh:
            return
        files = [(name, data) for name, data, _ in fresh]
        self.progress = (0, len(files))
        self.on_change()

        def progress(done: int, total: int) -> None:
            self.progress = (done, total)
            self.on_change()

        results = await process_photos([data for _, data in files], on_progress=progress,
                                       watermark=self._watermark())
        for (name, _, digest), result in zip(fresh, results):
            if isinstance(result, PhotoError):
                self.notices.append(self.ctx.t("capture.photo_refused", name=name,
                                               reason=self.ctx.t(result.message_key, **result.params)))
            else:
                self._keep_photo(result, digest)
        self.progress = None
        self._autosave()
        self.on_change()

    def _keep_photo(self, photo: ProcessedPhoto, source_sha256: str) -> None:
        if any(p.sha256 == photo.sha256 for p in self.photos):
            return
        self.ctx.photos.put(photo)
        self.photos.append(CapturedPhoto(photo.sha256, photo.width, photo.height, len(photo.data),
                                         photo.taken_at.isoformat() if photo.taken_at else None,
                                         photo.latitude, photo.longitude, source_sha256))
        # The first photo's GPS gives the place when the phone did not.
        if self.location is None and photo.latitude is not None and photo.longitude is not None:
            self.location = Location(latitude=photo.latitude, longitude=photo.longitude, source=LocationSource.EXIF.value)

    def _watermark(self) -> Watermark | None:
        if not self.ctx.watermark_photos:
            return None
        t = self.ctx.t
        user = self.ctx.current_user()
        where = self.place_name.strip() or (
            f"{self.location.latitude:.5f}, {self.location.longitude:.5f}" if self.location else "")
        lines = [t.datetime(utcnow()), where, t("watermark.signature", township=self.ctx.settings.township,
                                                name=user.name if user else "")]
        return Watermark(tuple(line for line in lines if line))

    def remove_photo(self, sha256: str) -> None:
        self.photos = [p for p in self.photos if p.sha256 != sha256]
        if self.location is not None and self.location.source == LocationSource.EXIF.value:
            self.location = None
            self._location_from_photos()
        self._autosave()
        self.on_change()

    def _location_from_photos(self) -> None:
        for photo in self.photos:
            if photo.latitude is not None and photo.longitude is not None:
                self.location = Location(latitude=photo.latitude, longitude=photo.longitude, source=LocationSource.EXIF.value)
                return

    def set_device_location(self, latitude: float, longitude: float, accuracy_m: float | None) -> None:
        """Take the phone's position; it beats a photo's EXIF but never a position the user typed."""
        if self.location is not None and self.location.source == LocationSource.MANUAL.value:
            return
        try:
            self.location = make_location(latitude, longitude, accuracy_m, LocationSource.DEVICE.value)
        except DomainError:
            return  # a nonsense fix from the device is ignored; the user can type coordinates
        self.errors.pop("location", None)
        self._autosave()
        self.on_change()

    def camera_unavailable(self) -> None:
        self.notices.append(self.ctx.t("camera.unavailable"))
        self.on_change()

    def location_unavailable(self) -> None:
        self.notices.append(self.ctx.t("location.unavailable"))
        self.on_change()

    def apply_typed_location(self) -> bool:
        """Check the typed coordinates; on success they become the location."""
        if not self.latitude_text.strip() and not self.longitude_text.strip():
            self.clear_location()
            return True
        try:
            self.location = make_location(self.latitude_text, self.longitude_text, None, LocationSource.MANUAL.value)
        except DomainError as refusal:
            self.errors[refusal.field or "location"] = self.ctx.t(refusal.message_key, **refusal.params)
            self.on_change()
            return False
        self.errors.pop("latitude", None)
        self.errors.pop("longitude", None)
        self._autosave()
        self.on_change()
        return True

    def clear_location(self) -> None:
        self.location = None
        self.latitude_text = self.longitude_text = ""
        self._autosave()
        self.on_change()

    def dismiss_notices(self) -> None:
        self.notices = []
        self.on_change()

    # -- saving ---------------------------------------------------------------------------------------------------
    def save(self) -> str | None:
        """Record the issue; on a refusal mark the field and keep everything typed."""
        self.errors = {}
        user = self.ctx.current_user()
        if user is None:
            self.errors["form"] = self.ctx.t("capture.no_user")
            self.on_change()
            return None
        draft = IssueDraft(title=self.title, category_id=self.category_id or None, description=self.description,
                           place_type=self.place_type, place_name=self.place_name, location=self.location,
                           photos=tuple(p.ref() for p in self.photos), station_id=user.station_id)
        try:
            with self.ctx.session() as session:
                issue = capture_issue(session, actor=self.ctx.actor(), draft=draft)
        except DomainError as refusal:
            self.errors[refusal.field or "form"] = self.ctx.t(refusal.message_key, **refusal.params)
            self.on_change()
            return None
        with self.ctx.session() as session:
            discard_draft(session, self.draft_id)
        self.saved_issue_id = issue.id
        self._reset()
        self.ctx.saved_locally()
        return issue.id

    def discard(self) -> None:
        """Throw the draft away (the user asked to)."""
        with self.ctx.session() as session:
            discard_draft(session, self.draft_id)
        self._reset()
        self.on_change()

    def _reset(self) -> None:
        self.reopened = False
        self.draft_id = None
        self.title = self.description = self.category_id = self.place_name = ""
        self.latitude_text = self.longitude_text = ""
        self.place_type = PlaceType.OTHER.value
        self.photos, self.location, self.errors, self.notices = [], None, {}, []

    # -- the draft ------------------------------------------------------------------------------------------------
    @property
    def has_content(self) -> bool:
        return bool(self.title.strip() or self.description.strip() or self.photos or self.place_name.strip())

    def _autosave(self) -> None:
        if not self.has_content and self.draft_id is None:
            return
        user = self.ctx.current_user()
        data = {name: getattr(self, name) for name in TEXT_FIELDS}
        data["photos"] = [p.__dict__ for p in self.photos]
        data["location"] = self.location.model_dump() if self.location else None
        with self.ctx.session() as session:
            self.draft_id = save_draft(session, draft_id=self.draft_id, author_id=user.id if user else None, data=data)

    def _reopen(self) -> None:
        user = self.ctx.current_user()
        with self.ctx.session() as session:
            draft = latest_draft(session, user.id if user else None)
        if draft is None:
            return
        self.draft_id = draft.id
        data = draft.data
        for name in TEXT_FIELDS:
            if isinstance(data.get(name), str):
                setattr(self, name, data[name])
        self.photos = [CapturedPhoto(**p) for p in data.get("photos") or []]
        loc = data.get("location")
        if loc:
            self.location = Location.model_validate(loc)
        self.reopened = self.has_content

