"""How a photo too big for its budget is encoded again: lower quality first, then fewer pixels."""

from __future__ import annotations

import math

# A detailed photo is encoded at a lower quality to fit its budget, never below this; one
# that still does not fit is stored with fewer pixels instead.
QUALITY_FLOOR = 60


def next_attempt(size: int, budget: int, quality: int, floor: int,
                 dimensions: tuple[int, int]) -> tuple[int, int | None] | None:
    """Return (quality, new long edge or None) for the next encode of a ``size``-byte JPEG, or None when done."""
    if size <= budget:
        return None
    if quality > floor:
        # Around quality 70-80 each step of quality costs about 1.8% of the size.
        steps = math.ceil((size - budget) / size / 0.018)
        return max(floor, quality - max(2, steps)), None
    # Below the floor blocks show. At it the bytes fall at least as fast as the pixel count
    # (a smaller photo has less fine detail left), so scale the area to the budget.
    edge = math.floor(max(dimensions) * math.sqrt(budget / size))
    if edge >= max(dimensions) or max(dimensions) <= 1:
        return None  # a single pixel: nothing smaller to give
    return quality, max(1, edge)
