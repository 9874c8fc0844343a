"""Time the photo pipeline against naive Pillow on real phone photos, side by side.

Run from the repository root: ``.venv/bin/python bench/photos.py [repetitions]``.

For each phone photo (mobile-*.jpg, heic-*.HEIC in ../shared/fixtures/photos) it prints the
best of several interleaved runs of ``process_photo`` and of the naive way (open,
exif_transpose, LANCZOS from full size to 1600 px, save at quality 85), their ratio, and
the bytes each writes. Target for the 9 MP phone JPEG: ours <= 0.35x naive, <= 300 KB.

For that photo it then shows where the time goes, stage by stage, and what other resize
filters and JPEG modes would cost and lose (PSNR against a full-size LANCZOS reference),
so a change of the trade-off is made on numbers.
"""

from __future__ import annotations

import io
import math
import sys
import time
from pathlib import Path

import pillow_heif
from PIL import Image, ImageChops, ImageOps

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.photos import TARGET_BYTES, process_photo  # noqa: E402  (needs the repo root on sys.path)

FIXTURES = REPO.parent / "shared" / "fixtures" / "photos"
TARGET_FILE = "mobile-HMD_Nokia_8.3_5G.jpg"
TARGET_RATIO = 0.35
EDGE = 1600

# Naive Pillow opens HEIC only through pillow-heif's opener (the pipeline registers it itself).
pillow_heif.register_heif_opener()


def naive(data: bytes) -> bytes:
    """Do what a first version would: decode everything, rotate, resize, save."""
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    scale = EDGE / max(im.size)
    if scale < 1:
        im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


def ours(data: bytes) -> bytes:
    return process_photo(data).data


def best_times(functions: dict, data: bytes, repetitions: int) -> tuple[dict, dict]:
    """Run each function in turn, ``repetitions`` rounds, so all see the same machine load."""
    for fn in functions.values():
        fn(data)  # warm caches (codecs, ICC transforms, fonts)
    best = {name: float("inf") for name in functions}
    outputs = {}
    for _ in range(repetitions):
        for name, fn in functions.items():
            start = time.perf_counter()
            outputs[name] = fn(data)
            best[name] = min(best[name], time.perf_counter() - start)
    return best, outputs


def psnr(data: bytes, reference: Image.Image) -> float:
    with Image.open(io.BytesIO(data)) as im:
        histogram = ImageChops.difference(im.convert("RGB"), reference).convert("L").histogram()
    mse = sum(i * i * n for i, n in enumerate(histogram)) / (reference.width * reference.height)
    return 10 * math.log10(255 * 255 / mse) if mse else float("inf")


def breakdown(data: bytes, repetitions: int) -> None:
    """Show the stages of our JPEG path and the filter / JPEG-mode trade-off, for one photo."""
    with Image.open(io.BytesIO(data)) as full:
        full.load()
        size = (EDGE, round(full.height * EDGE / full.width))
        reference = full.resize(size, Image.Resampling.LANCZOS)

    def drafted() -> Image.Image:
        im = Image.open(io.BytesIO(data))
        im.draft("RGB", size)
        im.load()
        return im

    small = drafted()
    resized = small.resize(size, Image.Resampling.LANCZOS)

    def save(im: Image.Image, **kw) -> bytes:
        out = io.BytesIO()
        im.save(out, "JPEG", quality=80, optimize=True, **kw)
        return out.getvalue()

    stages = {
        "full decode (what naive pays)": lambda _: Image.open(io.BytesIO(data)).load(),
        f"draft decode to {small.width}x{small.height}": lambda _: drafted(),
        f"LANCZOS {small.width}->{EDGE}": lambda _: small.resize(size, Image.Resampling.LANCZOS),
        "progressive JPEG q80": lambda _: save(resized, progressive=True),
        "320 px thumbnail": lambda _: save(
            resized.resize((320, round(320 * size[1] / size[0])), Image.Resampling.LANCZOS, reducing_gap=2.0)
        ),
    }
    best, _ = best_times({"naive": naive, **stages}, data, repetitions)
    print()
    print(f"where the time goes for {TARGET_FILE} (best of {repetitions}, share of naive)")
    for name in stages:
        print(f"  {name:34} {best[name] * 1000:7.1f} ms  {best[name] / best['naive']:5.2f}x")

    def variant(resample, progressive):
        return lambda _: save(drafted().resize(size, resample), progressive=progressive)

    variants = {
        "LANCZOS + progressive (shipped)": variant(Image.Resampling.LANCZOS, True),
        "LANCZOS + baseline": variant(Image.Resampling.LANCZOS, False),
        "BICUBIC + progressive": variant(Image.Resampling.BICUBIC, True),
        "HAMMING + progressive": variant(Image.Resampling.HAMMING, True),
        "HAMMING + baseline": variant(Image.Resampling.HAMMING, False),
    }
    best, outputs = best_times({"naive": naive, **variants}, data, repetitions)
    print()
    print("resize filter and JPEG mode after the draft decode (decode + resize + encode only)")
    print(f"  {'':34} {'ms':>7} {'ratio':>6} {'KB':>7} {'PSNR':>8}")
    for name in ("naive", *variants):
        print(
            f"  {name:34} {best[name] * 1000:7.1f} {best[name] / best['naive']:6.2f}"
            f" {len(outputs[name]) / 1024:7.1f} {psnr(outputs[name], reference):6.2f}dB"
        )


def main(repetitions: int = 9) -> int:
    files = sorted(FIXTURES.glob("mobile-*.jpg")) + sorted(FIXTURES.glob("heic-*.HEIC"))
    print(f"photo pipeline vs naive Pillow, best of {repetitions} interleaved runs (Pillow {Image.__version__})")
    header = f"{'file':36} {'ours ms':>8} {'naive ms':>9} {'ratio':>6} {'ours KB':>8} {'naive KB':>9} {'orig KB':>8}"
    print(header)
    print("-" * len(header))
    verdict, target_line = 1, f"target file {TARGET_FILE} not found"
    for path in files:
        data = path.read_bytes()
        best, outputs = best_times({"ours": ours, "naive": naive}, data, repetitions)
        ratio = best["ours"] / best["naive"]
        print(
            f"{path.name:36} {best['ours'] * 1000:8.1f} {best['naive'] * 1000:9.1f} {ratio:6.2f}"
            f" {len(outputs['ours']) / 1024:8.1f} {len(outputs['naive']) / 1024:9.1f} {len(data) / 1024:8.1f}"
        )
        if path.name == TARGET_FILE:
            fast, small = ratio <= TARGET_RATIO, len(outputs["ours"]) <= TARGET_BYTES
            verdict = 0 if fast and small else 1
            time_goal = f"goal <= {TARGET_RATIO}: {'met' if fast else 'MISSED'}"
            size_goal = f"goal <= {TARGET_BYTES // 1024} KB: {'met' if small else 'MISSED'}"
            target_line = (
                f"target {TARGET_FILE}: time {ratio:.2f}x naive ({time_goal}),"
                f" {len(outputs['ours']) / 1024:.0f} KB ({size_goal})"
            )
    print()
    print(target_line)
    target = FIXTURES / TARGET_FILE
    if target.is_file():
        breakdown(target.read_bytes(), repetitions)
    return verdict


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 9))
