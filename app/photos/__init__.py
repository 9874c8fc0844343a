"""Turn camera photos into small, upright, metadata-free JPEGs and keep them by hash.

Photos are most of what a deputy's phone sends over a weak village network, and they are
evidence in supervision letters, so one entry point, ``process_photo``, does the same work
on the phone at capture and on the server:

    photo = process_photo(data, watermark=Watermark(("2026-05-15 10:32", "石桥村 柑桔园")))
    sha = PhotoStore(root).put(photo)

The package, one concept a module:

- ``_errors``: ``PhotoError``, whose ``code`` is a photo member of ``app.problems.Problem``,
  and the refusals made with it;
- ``_sniff``: which accepted format (JPEG, PNG, WebP, HEIC/HEIF) a file is, from its
  first bytes, or a refusal naming what it is instead;
- ``_jpeg``: a JPEG's marker structure (frame header, the EXIF segment kept apart, a
  check that the compressed data is whole);
- ``_dimensions``: the width and height a header declares, checked against the pixel
  limit before anything is decoded;
- ``_heif``: pillow-heif, imported and its Pillow opener registered on first use;
- ``_exif``: orientation, GPS and capture time, read from raw EXIF in pure Python;
- ``_codec``: decode (libjpeg's DCT-scaled draft for JPEGs), turn upright, resize,
  convert to sRGB and encode within the 300 KB budget, with Pillow;
- ``_watermark``: the evidence stamp (time, place, township) burned into a bottom band;
- ``_pipeline``: ``process_photo``, which puts those steps together, and ``make_thumbnail``;
- ``_budget``: the steps down in quality, then in pixels, to the 300 KB budget;
- ``_portable``: the same pipeline over an injected codec (the browser's, in the PWA),
  which ``process_photos`` uses once ``use_codec`` installed one;
- ``_batch``: ``process_photos``, several photos off the event loop with progress;
- ``_store``: ``PhotoStore``, photos and thumbnails on disk under their SHA-256.

Importing the package does no work and loads neither Pillow nor pillow-heif: only
``_codec`` imports Pillow, when the first photo is processed, and the watermark draws
with it then. A build without Pillow (Pyodide) still has the store, the sniffing, the
JPEG structure and the EXIF reading.
"""

from app.photos._batch import process_photos
from app.photos._errors import PhotoError
from app.photos._pipeline import TARGET_BYTES, ProcessedPhoto, make_thumbnail, process_photo
from app.photos._portable import ImageCodec, process_photo_with, use_codec
from app.photos._store import PhotoStore
from app.photos._watermark import Watermark, bundled_font, watermark_band_height

__all__ = [
    "bundled_font",
    "ImageCodec",
    "TARGET_BYTES",
    "PhotoError",
    "PhotoStore",
    "ProcessedPhoto",
    "Watermark",
    "make_thumbnail",
    "process_photo",
    "process_photos",
    "process_photo_with",
    "use_codec",
    "watermark_band_height",
]
