"""Analyse stored reports: compare two reports or one agency's years, aggregate by region and year."""

from __future__ import annotations

from .compare import CellDelta, Comparison, History, SectionDiff, compare, history
from .stats import GROUPS, metrics, stats

__all__ = [
    "GROUPS", "CellDelta", "Comparison", "History", "SectionDiff", "compare", "history", "metrics",
    "stats",
]
