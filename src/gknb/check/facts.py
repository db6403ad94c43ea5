"""What the rules need to know about a format, computed once per format version and cached.

Everything here is derived from the format declaration (tables, rows, columns, kinds, identities,
sections), so a new format version needs no change in the checker.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formats import Equation, Format

# Section keys of the report model whose absence makes a unified-format report unusable.
ESSENTIAL_SECTIONS = frozenset({"requests"})


@dataclass(frozen=True)
class RowFacts:
    key: str
    label: str  # the row's full printed label
    cells: tuple[str, ...]
    column_labels: dict[str, str]  # cell key → printed column label


@dataclass(frozen=True)
class TableFacts:
    key: str
    section: str
    cells: tuple[str, ...]
    rows: tuple[RowFacts, ...]  # in print order


@dataclass(frozen=True)
class FormatFacts:
    """Lookups derived from one ``Format``: labels, kinds, positions, equations and sections."""

    format: Format
    keys: tuple[str, ...]
    position: dict[str, int]
    label: dict[str, str]
    kind: dict[str, str]
    tables: tuple[TableFacts, ...]
    equations: tuple[Equation, ...]
    equations_of: dict[str, tuple[int, ...]]  # cell key → indexes into ``equations``
    along_label: dict[tuple[str, str, str], str]  # (table, "columns"|"rows", key) → printed label
    section_headings: dict[str, str]  # section key → 一、总体情况 …
    section_index: dict[str, int]

    def quoted(self, key: str) -> str:
        """A cell's printed labels in the quotes reviewers use: 「（三）不予公开 1.属于国家秘密 · 自然人」."""
        return f"「{self.label.get(key, key)}」"

    def describe(self, equation: Equation) -> str:
        """The identity's Chinese name and where it runs, e.g. ``勾稽关系…〔列「自然人」〕``."""
        where = "列" if equation.rule.over == "columns" else "行"
        along = self.along_label.get((equation.rule.table, equation.rule.over, equation.along), equation.along)
        return f"{equation.rule.label}〔{where}「{along}」〕"

    def describe_en(self, equation: Equation) -> str:
        where = "column" if equation.rule.over == "columns" else "row"
        return f"{equation.rule.label_en} [{where} {equation.rule.table}.{equation.along}]"


_CACHE: dict[str, FormatFacts] = {}


def facts_for(fmt: Format) -> FormatFacts:
    """The cached facts of ``fmt`` (keyed by version; rebuilt if another object claims the version)."""
    cached = _CACHE.get(fmt.version)
    if cached is None or cached.format is not fmt:
        cached = _CACHE[fmt.version] = _build(fmt)
    return cached


def _build(fmt: Format) -> FormatFacts:
    keys = tuple(fmt.cell_keys())
    info = fmt.cell_info()
    tables = tuple(
        TableFacts(
            table.key,
            table.section,
            tuple(key for key, *_ in table.cells()),
            tuple(
                RowFacts(
                    row.key,
                    row.full_label,
                    tuple(f"{table.key}.{row.key}.{col.key}" for col in block.columns),
                    {f"{table.key}.{row.key}.{col.key}": col.label for col in block.columns},
                )
                for block in table.blocks
                for row in block.rows
            ),
        )
        for table in fmt.tables
    )
    equations = tuple(fmt.identities())
    equations_of: dict[str, list[int]] = {}
    for index, equation in enumerate(equations):
        for key in dict.fromkeys(equation.cells):
            equations_of.setdefault(key, []).append(index)
    along_label: dict[tuple[str, str, str], str] = {}
    for table in fmt.tables:
        for block in table.blocks:
            for col in block.columns:
                along_label.setdefault((table.key, "columns", col.key), col.label)
            for row in block.rows:
                along_label.setdefault((table.key, "rows", row.key), row.full_label)
    return FormatFacts(
        format=fmt,
        keys=keys,
        position={key: i for i, key in enumerate(keys)},
        label={key: fmt.cell_label(key) for key in keys},
        kind={key: column.kind for key, (_t, _b, _r, column) in info.items()},
        tables=tables,
        equations=equations,
        equations_of={key: tuple(indexes) for key, indexes in equations_of.items()},
        along_label=along_label,
        section_headings={s.key: s.heading for s in fmt.sections},
        section_index={s.key: i for i, s in enumerate(fmt.sections)},
    )
