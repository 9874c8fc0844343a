"""The year on record: the figures a township reports each year, and the annual summary that writes itself.

    _figures.py  every figure of the year with the records behind it (year_figures)
    _summary.py  the annual summary (年度工作总结) as a Word document, its narrative editable first
"""

from app.year._figures import RatingRound, YearFigures, rate, year_figures
from app.year._summary import (SECTION_KEYS, Names, Section, edited, names_of, summary_document,
                               summary_sections)

__all__ = ["RatingRound", "YearFigures", "rate", "year_figures", "SECTION_KEYS", "Names", "Section", "edited",
           "names_of", "summary_document", "summary_sections"]
