"""Photo blobs: only the missing are sent, uploads resume from the last byte, bad bytes are refused."""

from __future__ import annotations

import hashlib
from sync.protocol import MAX_BLOB_BYTES
from tests.conftest import PHOTO_FIXTURES as PHOTOS
from tests.sync.conftest import issue_create, jpeg


def _patch(central, headers, sha: str, data: bytes, *, offset: int, length: int):
    return central.client.patch(f"/api/v1/blobs/{sha}", content=data, headers={
        **headers, "Upload-Offset": str(offset), "Upload-Length": str(length),
        "Content-Type": "application/offset+octet-stream"})


def _offset(central, headers, sha: str) -> int:
    response = central.client.head(f"/api/v1/blobs/{sha}", headers=headers)
    assert response.status_code == 200
    return int(response.headers["Upload-Offset"])


def test_the_server_names_the_photos_it_lacks(central):
    wang = central.login("deputy-wang")
    held = central.upload(wang, jpeg(1))
    lacking = hashlib.sha256(jpeg(2)).hexdigest()
    response = central.client.post("/api/v1/blobs/missing", json={"hashes": [held, lacking, lacking]}, headers=wang)
    assert response.status_code == 200
    assert response.json() == {"missing": [lacking]}
    bad = central.client.post("/api/v1/blobs/missing", json={"hashes": ["ABC"]}, headers=wang)
    assert (bad.status_code, bad.json()["code"]) == (400, "request.malformed")


def test_an_upload_resumes_from_the_byte_the_server_holds(central):
    wang = central.login("deputy-wang")
    photo = (PHOTOS / "gps-DSCN0010.jpg").read_bytes()
    sha, half = hashlib.sha256(photo).hexdigest(), len(photo) // 2
    assert _offset(central, wang, sha) == 0

    first = _patch(central, wang, sha, photo[:half], offset=0, length=len(photo))
    assert first.status_code == 200
    assert first.json() == {"sha256": sha, "offset": half, "length": len(photo), "complete": False}
    # The connection dropped; the phone asks where to go on.
    assert _offset(central, wang, sha) == half
    assert (central.data_dir / "blobs" / "partial" / sha).stat().st_size == half
    second = _patch(central, wang, sha, photo[half:], offset=half, length=len(photo))
    assert second.status_code == 200 and second.json()["complete"] is True

    stored = central.data_dir / "photos" / sha[:2] / sha[2:4] / f"{sha}.jpg"
    assert stored.read_bytes() == photo
    assert not (central.data_dir / "blobs" / "partial" / sha).exists()
    head = central.client.head(f"/api/v1/blobs/{sha}", headers=wang)
    assert head.headers["Upload-Offset"] == str(len(photo)) and head.headers["Upload-Complete"] == "true"
    missing = central.client.post("/api/v1/blobs/missing", json={"hashes": [sha]}, headers=wang).json()
    assert missing == {"missing": []}
    # Sending it again is harmless.
    assert _patch(central, wang, sha, photo, offset=0, length=len(photo)).json()["complete"] is True


def test_a_wrong_offset_is_refused_with_the_real_one(central):
    wang = central.login("deputy-wang")
    photo = jpeg(4, size=(200, 150))
    sha = hashlib.sha256(photo).hexdigest()
    _patch(central, wang, sha, photo[:100], offset=0, length=len(photo))
    before = central.snapshot()
    for wrong in (0, 50, 150):
        response = _patch(central, wang, sha, photo[wrong:], offset=wrong, length=len(photo))
        assert response.status_code == 409
        assert response.json()["code"] == "blob.offset_mismatch"
        assert response.json()["detail"]["offset"] == 100
        assert response.headers["Upload-Offset"] == "100"
    assert central.snapshot() == before
    assert _patch(central, wang, sha, photo[100:], offset=100, length=len(photo)).json()["complete"] is True


def test_bytes_that_do_not_hash_to_their_name_are_refused_and_discarded(central):
    wang = central.login("deputy-wang")
    photo, other = jpeg(5), jpeg(6)
    sha = hashlib.sha256(photo).hexdigest()
    before = central.snapshot()
    response = _patch(central, wang, sha, other, offset=0, length=len(other))
    assert response.status_code == 422
    assert response.json()["code"] == "blob.hash_mismatch"
    assert response.json()["detail"]["actual"] == hashlib.sha256(other).hexdigest()
    assert central.snapshot() == before
    assert _offset(central, wang, sha) == 0  # to be sent again whole


def test_a_file_that_is_not_a_stored_photo_is_refused(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    for data in (b"%PDF-1.4 not a photo" * 10, (PHOTOS / "corrupted.jpg").read_bytes(), _png()):
        sha = hashlib.sha256(data).hexdigest()
        response = _patch(central, wang, sha, data, offset=0, length=len(data))
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "blob.not_image"
    assert central.snapshot() == before


def test_a_blob_over_the_size_limit_is_refused_before_it_is_read(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    response = _patch(central, wang, "a" * 64, b"x", offset=0, length=MAX_BLOB_BYTES + 1)
    assert (response.status_code, response.json()["code"]) == (413, "request.too_large")
    past = _patch(central, wang, "b" * 64, b"x" * 20, offset=0, length=10)
    assert (past.status_code, past.json()["code"]) == (400, "request.malformed")
    assert _offset(central, wang, "b" * 64) == 0
    bad_headers = central.client.patch(f"/api/v1/blobs/{'c' * 64}", content=b"x",
                                       headers={**wang, "Upload-Offset": "-1", "Upload-Length": "x"})
    assert (bad_headers.status_code, bad_headers.json()["code"]) == (400, "request.malformed")
    not_a_hash = central.client.head("/api/v1/blobs/xyz", headers=wang)
    assert not_a_hash.status_code == 400
    assert central.snapshot() == before


def test_an_upload_needs_a_signed_in_user(central):
    photo = jpeg(8)
    sha = hashlib.sha256(photo).hexdigest()
    response = central.client.patch(f"/api/v1/blobs/{sha}", content=photo,
                                    headers={"Upload-Offset": "0", "Upload-Length": str(len(photo))})
    assert (response.status_code, response.json()["code"]) == (401, "auth.required")
    assert central.client.head(f"/api/v1/blobs/{sha}").status_code == 401


def test_a_complete_upload_the_server_had_not_yet_filed_is_finished_on_the_next_look(central):
    wang = central.login("deputy-wang")
    photo = jpeg(9)
    sha = hashlib.sha256(photo).hexdigest()
    _patch(central, wang, sha, photo[:10], offset=0, length=len(photo))
    # The server died after writing the last bytes, before filing the photo.
    with open(central.data_dir / "blobs" / "partial" / sha, "ab") as handle:
        handle.write(photo[10:])
    assert _offset(central, wang, sha) == len(photo)
    assert central.client.post("/api/v1/blobs/missing", json={"hashes": [sha]}, headers=wang).json() == \
        {"missing": []}


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, "PNG")
    return out.getvalue()


def test_a_head_tells_nobody_of_a_photo_they_may_not_see(central):
    li, office = central.login("deputy-li"), central.login("office-ma")
    sha = central.upload(li, jpeg(13))
    central.push(li, issue_create(station="qixing", photos=(sha,)))
    for outsider in (central.login("deputy-wang"), central.login("dept-water")):
        head = central.client.head(f"/api/v1/blobs/{sha}", headers=outsider)
        get = central.client.get(f"/api/v1/blobs/{sha}", headers=outsider)
        assert head.status_code == get.status_code and head.status_code in (403, 404)
        assert head.headers.get("Upload-Complete") != "true" and "Upload-Offset" not in head.headers
    for insider in (li, office):
        assert central.client.head(f"/api/v1/blobs/{sha}", headers=insider).headers["Upload-Complete"] == "true"
    # A photo no record holds yet: its uploader resumes from its offset; to anyone else it is not there.
    wang, photo = central.login("deputy-wang"), jpeg(14)
    unattached, half = hashlib.sha256(photo).hexdigest(), len(photo) // 2
    _patch(central, wang, unattached, photo[:half], offset=0, length=len(photo))
    assert _offset(central, wang, unattached) == half
    head = central.client.head(f"/api/v1/blobs/{unattached}", headers=li)
    get = central.client.get(f"/api/v1/blobs/{unattached}", headers=li)
    assert head.status_code == get.status_code == 404
    assert "Upload-Offset" not in head.headers
