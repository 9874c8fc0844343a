"""Word documents the office hands out: supervision letters, reports; laid out as official documents (GB/T 9704).

    _official.py  the national layout: page, red header and rule, number, title, headings, body, signature
"""

from app.documents._official import Fonts, OfficialDocument, chinese_date, chinese_number

__all__ = ["Fonts", "OfficialDocument", "chinese_date", "chinese_number"]
