"""A connection cut in the middle of a photo upload resumes from the server's offset; the photo arrives whole."""

from __future__ import annotations

import asyncio
import hashlib

import httpx

from app.outbox import SyncOutcome
from tests.sync.netproxy import NetProxy
from tests.sync.phones import PHOTO_FIXTURES, Recording, ServerProcess, central_rows, new_phone, prepare_central

CHUNK = 128 * 1024


def test_faults_upload_cut_midway_resumes_from_server_offset(tmp_path):
    data_dir = tmp_path / "central"
    prepare_central(data_dir)

    async def main(server: ServerProcess):
        async with NetProxy("127.0.0.1", server.port) as proxy, \
                Recording(httpx.AsyncHTTPTransport()) as transport:
            phone = await new_phone(tmp_path, "wang", "deputy-wang", transport, base_url=proxy.url,
                                    chunk_size=CHUNK)
            # An iPhone photo: about 390 KB once the pipeline has made it the stored JPEG.
            ref = phone.add_photo((PHOTO_FIXTURES / "heic-mobile-iphone_13_pro_max.HEIC").read_bytes())
            issue = phone.capture(title="河堤护坡垮塌", photos=[ref])
            assert ref.byte_size > 2 * CHUNK
            # The village signal drops 200 kB into the upload: in the second chunk's body.
            proxy.arm_abort(200_000)
            report = await phone.client.sync_once()
            return phone, ref, issue, report, proxy.stats, transport

    with ServerProcess(data_dir) as server:
        phone, ref, issue, report, stats, transport = asyncio.run(main(server))

    assert stats.aborted == 1
    assert report.outcome is SyncOutcome.OK, report
    assert report.photos_uploaded == 1 and report.applied == 1
    # The Upload-Offset of each blob PATCH the phone sent, and of each HEAD answer it got, in order.
    patches = [int(r.headers["Upload-Offset"]) for r in transport.requests
               if "/blobs/" in r.url.path and r.method == "PATCH"]
    heads = [int(r.headers["Upload-Offset"]) for r in transport.responses if r.request.method == "HEAD"]
    assert patches[:2] == [0, CHUNK]
    # After the cut the phone asked the server and went on from what the server held,
    # a little past the chunk boundary: the bytes of the cut request that had arrived.
    resumed = patches[2]
    assert resumed == heads[-1] and CHUNK <= resumed < ref.byte_size
    stored = data_dir / "photos" / ref.sha256[:2] / ref.sha256[2:4] / f"{ref.sha256}.jpg"
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == ref.sha256
    assert stored.read_bytes() == phone.photos.read(ref.sha256)
    db = data_dir / "central.sqlite3"
    assert central_rows(db, "SELECT complete, length FROM blob WHERE sha256 = :s", s=ref.sha256) == [(1, ref.byte_size)]
    assert central_rows(db, "SELECT sha256 FROM record_photo WHERE record_id = :i", i=issue.id) == [(ref.sha256,)]
    # Not sent again from the start: about one photo's bytes went up, plus the cut chunk's share.
    assert report.bytes_uploaded == ref.byte_size
