"""A station's poster: A4, its name and reception day, and a QR code to its public page (扫码说事)."""

from __future__ import annotations

import io

from app.assets import FONT_FILE, asset_path

DPI = 200
A4_MM = (210, 297)


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def station_poster(*, station_name: str, township: str, reception_day: str, url: str) -> bytes:
    """Draw the poster and return it as a one-page A4 PDF."""
    import qrcode
    from PIL import Image, ImageDraw, ImageFont

    width, height = _px(A4_MM[0]), _px(A4_MM[1])
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    font = str(asset_path(FONT_FILE))

    def centred(text: str, top_mm: float, size_pt: float, fill: str = "#1A1A1A") -> None:
        face = ImageFont.truetype(font, round(size_pt / 72 * DPI))
        box = draw.textbbox((0, 0), text, font=face)
        draw.text(((width - (box[2] - box[0])) // 2, _px(top_mm)), text, font=face, fill=fill)

    draw.rectangle([0, 0, width, _px(46)], fill="#B71C1C")  # a red band: the congress's colour
    centred(f"{township}人大代表联络站", 10, 26, "#FFFFFF")
    centred(station_name, 60, 34)
    centred("有事找代表 · 扫码说事", 82, 24, "#B71C1C")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    picture = code.make_image(fill_color="black", back_color="white").convert("RGB")
    side = _px(110)
    picture = picture.resize((side, side), Image.NEAREST)
    page.paste(picture, ((width - side) // 2, _px(102)))
    centred("用微信或手机相机扫一扫，写下您想反映的事", 220, 18)
    centred("可附一张照片；会得到一个回执号，凭号查询办理情况", 232, 16, "#424242")
    centred(f"代表接待日：{reception_day}", 252, 22)
    centred(url, 270, 12, "#616161")
    out = io.BytesIO()
    page.save(out, "PDF", resolution=DPI)
    return out.getvalue()
