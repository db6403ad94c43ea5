"""Review as a 政务公开办 does (docs/review.md): a region's reports of a year, the roster of units that
must publish, a score sheet, the 通报 and per-unit 审核意见, and every unit against its previous year.

>>> units = region_year(store, "桐庐县", 2023)
>>> roster_status(store, roster_from_store(store, "桐庐县"), 2023, "桐庐县", units=units)
>>> ranking(units, load_scheme())
"""

from __future__ import annotations

from .region import UnitReport, region_year
from .roster import (
    Deadlines,
    RosterEntry,
    load_roster,
    roster_from_divisions,
    roster_from_store,
    roster_status,
)
from .scoring import Scheme, load_scheme, ranking, score

__all__ = [
    "Deadlines", "RosterEntry", "Scheme", "UnitReport", "load_roster", "load_scheme", "ranking", "region_year",
    "roster_from_divisions", "roster_from_store", "roster_status", "score",
]
