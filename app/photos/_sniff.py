"""Tell which accepted format a file is from its first bytes, or refuse it naming what it is."""

from __future__ import annotations

from app.photos._errors import not_image, unsupported

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = _HEIC_BRANDS | {b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}

_UNSUPPORTED = (
    ((b"GIF87a", b"GIF89a"), "GIF"),
    ((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"), "TIFF"),
    ((b"8BPS",), "PSD"),
    ((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n"), "JPEG XL"),
    ((b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"), "ICO"),
    ((b"\x97JB2",), "JBIG2"),
    ((b"\x00\x00\x00\x0cjP  ",), "JPEG 2000"),
    ((b"qoif",), "QOI"),
)
_NOT_IMAGES = (
    ((b"%PDF",), "PDF"),
    ((b"PK\x03\x04", b"PK\x05\x06"), "ZIP"),
    ((b"Rar!",), "RAR"),
    ((b"7z\xbc\xaf\x27\x1c",), "7Z"),
    ((b"\x1f\x8b",), "GZIP"),
    ((b"\xd0\xcf\x11\xe0",), "DOC"),
    ((b"ID3",), "MP3"),
    ((b"OggS",), "OGG"),
    ((b"fLaC",), "FLAC"),
    ((b"\x1aE\xdf\xa3",), "MKV"),
)


def sniff(data: bytes) -> str:
    """Return the accepted format of ``data`` (JPEG, PNG, WEBP or HEIF), or raise the refusal naming it."""
    head = data[:512]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        major, compatible = _ftyp_brands(head)
        brands = {major} | compatible
        if major in _AVIF_BRANDS or (brands & _AVIF_BRANDS and not brands & _HEIC_BRANDS):
            raise unsupported("AVIF")
        if major in _HEIF_BRANDS:  # pillow-heif recognises a file by its major brand
            return "HEIF"
        if brands & _HEIF_BRANDS:
            raise unsupported("HEIF")
        raise not_image("MOV" if major == b"qt  " else "MP4")
    for signatures, name in _UNSUPPORTED:
        if head.startswith(signatures):
            raise unsupported(name)
    if head.startswith(b"BM") and len(data) > 26 and data[14] in (12, 40, 52, 56, 64, 108, 124):
        raise unsupported("BMP")
    lowered = head.lower()
    if b"<svg" in lowered:
        raise unsupported("SVG")
    for signatures, name in _NOT_IMAGES:
        if head.startswith(signatures):
            raise not_image(name)
    if head[:4] == b"RIFF":
        raise not_image({b"WAVE": "WAV", b"AVI ": "AVI"}.get(head[8:12], "RIFF"))
    if lowered.lstrip().startswith((b"<!doctype html", b"<html")):
        raise not_image("HTML")
    if _looks_like_text(head):
        raise not_image("text")
    raise not_image("unknown")


def _ftyp_brands(data: bytes) -> tuple[bytes, set[bytes]]:
    size = int.from_bytes(data[0:4], "big")
    end = min(len(data), size if 16 <= size <= 4096 else 16)
    compatible = {data[i : i + 4] for i in range(16, end - 3, 4)}
    return data[8:12], compatible


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 with a BOM
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut by the slice
            return False
        text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return printable >= 0.95 * max(len(text), 1)
