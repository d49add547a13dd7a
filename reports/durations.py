"""Medians and 90th percentiles from per-day histograms of working minutes.

A time of under an hour is kept to the minute; a longer one in a bucket 5 % wide (a ratio of 1.05 from one
bucket's start to the next), so a percentile read from the buckets is exact below an hour and within 2.5 %
above it: "3 h 12 min" may really be anything from 3 h 7 min to 3 h 17 min. Histograms add up across
days, slices and periods, which a sketch of exact values would not do so simply; 260 buckets reach two
years of working time.
"""

import math
from collections.abc import Mapping

EXACT = 60  # minutes below this are their own bucket
RATIO = 1.05


def bucket_of(minutes: int) -> int:
    if minutes < EXACT:
        return max(minutes, 0)
    return EXACT + int(math.log(minutes / EXACT) / math.log(RATIO))


def bounds(bucket: int) -> tuple[float, float]:
    """The minutes a bucket holds: [low, high)."""
    if bucket < EXACT:
        return float(bucket), float(bucket + 1)
    low = EXACT * RATIO ** (bucket - EXACT)
    return low, low * RATIO


def value_of(bucket: int) -> int:
    """The minutes a bucket stands for: its own minute, or the middle of its range (geometrically)."""
    if bucket < EXACT:
        return bucket
    low, high = bounds(bucket)
    return round(math.sqrt(low * high))


def percentile(histogram: Mapping[int, int], fraction: float) -> int | None:
    """The nearest-rank percentile (0.5 the median, 0.9 the 90th) of the times counted, in minutes; None
    when there are none."""
    total = sum(count for count in histogram.values() if count > 0)
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for bucket in sorted(histogram):
        seen += max(histogram[bucket], 0)
        if seen >= rank:
            return value_of(bucket)
    return value_of(max(histogram))
