"""Photos in the browser: decode, turn upright, resize, stamp and encode with the browser's own codecs.

The pipeline around it (app.photos._portable) is the Pillow path's: this module only moves
pixels, inside the Python worker, through `createImageBitmap` (EXIF orientation applied by
the decoder, high-quality resizing), `OffscreenCanvas` and `convertToBlob` (a JPEG with no
metadata, in the canvas's sRGB). The watermark is drawn with the bundled Noto Sans SC,
loaded once as a `FontFace` from the app's own copy of the font.
"""

from __future__ import annotations

from app.photos._dimensions import fit_size

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
FAMILY = "LianluoWatermark"


class CanvasCodec:
    """An app.photos.ImageCodec over the browser's image decoders and canvas (Pyodide only)."""

    def __init__(self, font_url: str):
        self.font_url = font_url
        self._font_loaded = False
        self._measure_ctx = None

    @staticmethod
    def _options(**values):
        import js
        from pyodide.ffi import to_js

        return to_js(values, dict_converter=js.Object.fromEntries)

    async def _load_font(self) -> None:
        if self._font_loaded:
            return
        import js

        face = js.FontFace.new(FAMILY, f"url({self.font_url})")
        await face.load()
        js.self.fonts.add(face)
        self._font_loaded = True

    async def decode_upright(self, fmt: str, data: bytes, max_edge: int):
        import js
        from pyodide.ffi import to_js

        await self._load_font()
        blob = js.Blob.new(to_js([to_js(data)]), self._options(type=MIME[fmt]))
        bitmap = await js.createImageBitmap(blob, self._options(imageOrientation="from-image",
                                                                colorSpaceConversion="default"))
        try:
            canvas = await self._to_canvas(bitmap, max_edge)
        finally:
            bitmap.close()
        return canvas

    async def _to_canvas(self, source, edge: int):
        import js

        width, height = int(source.width), int(source.height)
        target_w, target_h = fit_size((width, height), edge)
        resized = None
        if (target_w, target_h) != (width, height):
            resized = await js.createImageBitmap(source, self._options(resizeWidth=target_w, resizeHeight=target_h,
                                                                       resizeQuality="high"))
        canvas = js.OffscreenCanvas.new(target_w, target_h)
        ctx = canvas.getContext("2d", self._options(alpha=False))
        ctx.fillStyle = "#FFFFFF"  # a transparent PNG is flattened on white, as with Pillow
        ctx.fillRect(0, 0, target_w, target_h)
        ctx.drawImage(resized or source, 0, 0)
        if resized is not None:
            resized.close()
        return canvas

    def size(self, image) -> tuple[int, int]:
        return int(image.width), int(image.height)

    async def resized(self, image, edge: int):
        return await self._to_canvas(image, edge)

    def measure(self, text: str, font_size: int) -> float:
        import js

        if self._measure_ctx is None:
            self._measure_ctx = js.OffscreenCanvas.new(1, 1).getContext("2d")
        self._measure_ctx.font = f"{font_size}px {FAMILY}"
        return float(self._measure_ctx.measureText(text).width)

    async def draw_watermark(self, image, lines: list[str], font_size: int, band: int, pad: int,
                             line_height: int) -> None:
        width, height = self.size(image)
        ctx = image.getContext("2d")
        ctx.fillStyle = "rgba(0, 0, 0, 0.47)"  # Pillow's (0, 0, 0, 120) band
        ctx.fillRect(0, height - band, width, band)
        ctx.font = f"{font_size}px {FAMILY}"
        ctx.textBaseline = "top"
        shadow = max(1, line_height // 24)
        for i, line in enumerate(lines):
            y = height - band + pad + i * line_height
            ctx.fillStyle = "rgba(0, 0, 0, 0.63)"
            ctx.fillText(line, pad + shadow, y + shadow)
            ctx.fillStyle = "#FFFFFF"
            ctx.fillText(line, pad, y)

    async def encode(self, image, quality: int) -> bytes:
        blob = await image.convertToBlob(self._options(type="image/jpeg", quality=quality / 100))
        if str(blob.type) != "image/jpeg":  # a browser without a JPEG encoder would hand back PNG
            raise RuntimeError(f"the browser encoded {blob.type}, not JPEG")
        return (await blob.arrayBuffer()).to_bytes()

    def close(self, image) -> None:
        image.width = image.height = 0  # lets the browser free the pixels now, not at garbage collection

