"""PhotoError, and the refusals the pipeline and the store make with it."""

from __future__ import annotations

from app.problems import Problem


class PhotoError(Exception):
    """A photo the pipeline refuses, with its problem code and the values its message needs.

    ``code`` is a photo member of ``app.problems.Problem`` (``PHOTO_EMPTY``, ``PHOTO_NOT_IMAGE``,
    ``PHOTO_UNSUPPORTED``, ``PHOTO_DAMAGED``, ``PHOTO_TOO_MANY_PIXELS``, ``PHOTO_HASH_MISMATCH``);
    being a ``str``, it compares equal to its code. The visible message is the catalog entry
    ``code.message_key`` formatted with ``params``; ``str()`` is an English fallback for logs.

    Example::

        try:
            photo = process_photo(data)
        except PhotoError as exc:
            show(t(exc.message_key, **exc.params))
    """

    def __init__(self, code: Problem, message: str, params: dict[str, object] | None = None):
        super().__init__(message)
        self.code = Problem(code)  # a code read back from a pickle or a log becomes its member again
        self.params: dict[str, object] = dict(params or {})

    @property
    def message_key(self) -> str:
        """Return the translation catalog key of this error's message."""
        return self.code.message_key

    def __reduce__(self):
        return (type(self), (self.code, str(self), self.params))

    def __repr__(self) -> str:
        return f"PhotoError(Problem.{self.code.name}, {str(self)!r}, {self.params!r})"


def empty() -> PhotoError:
    """Refuse a file with no bytes."""
    return PhotoError(Problem.PHOTO_EMPTY, "The file is empty.")


def not_image(got: str) -> PhotoError:
    """Refuse a file that is no picture at all, naming what it is."""
    # ``got`` is a format name (PDF, MP4, ...) or "text" / "unknown", which the catalogs
    # spell out under "photos.kind.<got>".
    shown = "not an image" if got == "unknown" else got
    return PhotoError(Problem.PHOTO_NOT_IMAGE, f"This file is not an image (got {shown}).", {"got": got})


def unsupported(name: str) -> PhotoError:
    """Refuse a picture in a format the pipeline does not take."""
    return PhotoError(
        Problem.PHOTO_UNSUPPORTED,
        f"{name} images are not accepted; use a JPEG, PNG, WebP or HEIC photo.",
        {"format": name},
    )


def damaged(reason: str) -> PhotoError:
    """Refuse a photo that cannot be read whole."""
    return PhotoError(
        Problem.PHOTO_DAMAGED, f"The photo is damaged and cannot be read ({reason}).", {"reason": reason}
    )


def too_many_pixels(width: int, height: int, limit: int) -> PhotoError:
    """Refuse a picture with more pixels than the limit."""
    return PhotoError(
        Problem.PHOTO_TOO_MANY_PIXELS,
        f"The image is too large: {width}x{height} pixels (the limit is {limit}).",
        {"width": width, "height": height, "pixels": width * height, "max_pixels": limit},
    )


def hash_mismatch(expected: str, got: str) -> PhotoError:
    """Refuse bytes that do not hash to the name they came under."""
    return PhotoError(
        Problem.PHOTO_HASH_MISMATCH,
        f"The photo's bytes do not match its hash (expected {expected}, got {got}).",
        {"expected": expected, "got": got},
    )
