"""The photo store on disk: one file per hash, written whole or not at all, checked on the way in."""

from __future__ import annotations

import dataclasses

import pytest

from app.photos import PhotoError, PhotoStore, _store
from tests.app.test_photos import decoded, processed

def test_store_writes_photo_and_thumbnail_under_their_hash(tmp_path):
    store, photo = PhotoStore(tmp_path), processed("gps-DSCN0010.jpg")
    sha = store.put(photo)
    assert sha == photo.sha256
    assert store.path(sha) == tmp_path / sha[:2] / sha[2:4] / f"{sha}.jpg"
    assert store.thumbnail_path(sha) == tmp_path / "thumbs" / sha[:2] / sha[2:4] / f"{sha}.jpg"
    assert store.has(sha) and store.verify(sha)
    assert store.read(sha) == photo.data and store.read_thumbnail(sha) == photo.thumbnail
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{sha[:2]}/{sha[2:4]}/{sha}.jpg",
        f"thumbs/{sha[:2]}/{sha[2:4]}/{sha}.jpg",
    ]


def test_a_second_put_of_the_same_photo_writes_nothing(tmp_path, monkeypatch):
    store, photo = PhotoStore(tmp_path), processed("gps-DSCN0012.jpg")
    store.put(photo)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.jpg")}

    def no_writing(*args, **kwargs):
        raise AssertionError("wrote again")

    monkeypatch.setattr(_store.tempfile, "mkstemp", no_writing)
    monkeypatch.setattr(_store.os, "replace", no_writing)
    assert store.put(photo) == photo.sha256
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.jpg")} == before


def test_a_failed_put_leaves_nothing_behind(tmp_path, monkeypatch):
    store, photo = PhotoStore(tmp_path), processed("gps-DSCN0021.jpg")
    real_replace, calls = _store.os.replace, []

    def replace_then_fail(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the thumbnail lands, then the disk fills up
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(_store.os, "replace", replace_then_fail)
    with pytest.raises(OSError):
        store.put(photo)
    assert not store.has(photo.sha256)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_writes_are_fsynced_before_they_are_renamed_into_place(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = _store.os.fsync, _store.os.replace
    monkeypatch.setattr(_store.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(_store.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    PhotoStore(tmp_path).put(processed("gps-DSCN0025.jpg"))
    assert events.count("replace") == 2
    for i, event in enumerate(events):
        if event == "replace":
            assert events[i - 1] == "fsync"


def test_verify_notices_a_changed_or_missing_file(tmp_path):
    store, photo = PhotoStore(tmp_path), processed("gps-DSCN0027.jpg")
    sha = store.put(photo)
    store.path(sha).write_bytes(photo.data[:-1] + b"\x00")
    assert not store.verify(sha)
    store.path(sha).unlink()
    assert not store.verify(sha) and not store.has(sha)


def test_put_bytes_checks_the_hash(tmp_path):
    store, photo = PhotoStore(tmp_path), processed("orientation-landscape_1.jpg")
    with pytest.raises(PhotoError) as caught:
        store.put_bytes(photo.sha256, photo.data + b"tail")
    assert caught.value.code == "photo.hash_mismatch"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert store.put_bytes(photo.sha256, photo.data) == photo.sha256
    assert store.put_bytes(photo.sha256, photo.data) == photo.sha256
    assert store.read(photo.sha256) == photo.data and store.verify(photo.sha256)


def test_an_uploaded_photo_gets_a_thumbnail_when_first_asked(tmp_path):
    store, photo = PhotoStore(tmp_path), processed("mobile-jolla.jpg")
    store.put_bytes(photo.sha256, photo.data)
    assert not store.thumbnail_path(photo.sha256).exists()
    thumbnail = store.read_thumbnail(photo.sha256)
    assert max(decoded(thumbnail).size) == 320
    assert store.thumbnail_path(photo.sha256).read_bytes() == thumbnail


def test_put_refuses_a_photo_whose_hash_does_not_match(tmp_path):
    photo = processed("orientation-portrait_1.jpg")
    forged = dataclasses.replace(photo, data=photo.data + b"x")
    with pytest.raises(PhotoError, match="do not match"):
        PhotoStore(tmp_path).put(forged)
    assert list(tmp_path.rglob("*.jpg")) == []


@pytest.mark.parametrize("sha", ["../../etc/passwd", "ABC", "g" * 64, "A" * 64, ""])
def test_the_store_only_takes_real_hashes(tmp_path, sha):
    store = PhotoStore(tmp_path)
    with pytest.raises(ValueError):
        store.path(sha)
    with pytest.raises(ValueError):
        store.put_bytes(sha, b"data")


def test_reading_a_missing_photo_says_so(tmp_path):
    with pytest.raises(FileNotFoundError):
        PhotoStore(tmp_path).read("0" * 64)

