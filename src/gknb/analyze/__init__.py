"""Analyse stored reports: compare two reports or one agency's years, aggregate by region and year."""

from __future__ import annotations

from .compare import CellDelta, Comparison, History, SectionDiff, cell_label, compare, history
from .stats import GROUPS, METRICS, stats

__all__ = [
    "GROUPS", "METRICS", "CellDelta", "Comparison", "History", "SectionDiff", "cell_label", "compare", "history",
    "stats",
]
