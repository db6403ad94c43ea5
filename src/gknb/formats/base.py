"""Building blocks for declaring an official report format as data.

A format is a list of sections and three tables. Each table is made of blocks (the sub-tables of
section 二 headed by their 条例 article, or the single grid of sections 三 and 四); each block has
columns and rows with stable keys, printed labels and the label variants seen in real reports.
Identities are declared once here and expanded into concrete cell equations by ``Format.identities``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

CellKind = Literal["count", "signed", "money"]


@dataclass(frozen=True)
class Column:
    """A column: stable key, the official printed label, and the variants seen in the wild."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: CellKind = "count"


@dataclass(frozen=True)
class Row:
    """A data row. ``group`` is the printed group label the row sits under (e.g. （三）不予公开)."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str | None = None
    outcome: bool = False  # part of 三、本年度办理结果 whose total is （七）总计

    @property
    def full_label(self) -> str:
        """The label a reader recognises without the grid around it: group + own label."""
        return f"{self.group} {self.label}" if self.group else self.label


@dataclass(frozen=True)
class HeaderCell:
    """One printed header cell of the official grid, with the grid rows/columns it spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Layout:
    """How a block is printed in the official grid: what the renderers draw, declared as data.

    ``header`` rows come above the data (after the caption row, if any) and span the block's whole
    width. The ``stub`` label columns hold each row's group labels and own label: a group cell spans
    the rows under it (``subgroups`` nests a group in a parent group, e.g. （三）不予公开 in
    三、本年度办理结果) and a row's own label spans the stub columns its groups leave free.
    ``spans`` gives the grid columns each value column spans (1 each when empty). A ``transposed``
    block prints its rows side by side as column groups, all values on a single grid row (section 四).
    """

    header: tuple[tuple[HeaderCell, ...], ...]
    stub: int = 1
    spans: tuple[int, ...] = ()
    subgroups: tuple[tuple[str, str], ...] = ()  # (group label, parent group label)
    transposed: bool = False

    def span(self, index: int) -> int:
        """Grid columns value column ``index`` spans."""
        return self.spans[index] if self.spans else 1

    def parent(self, group: str) -> str | None:
        """The group a row group is nested in, if any."""
        return dict(self.subgroups).get(group)


@dataclass(frozen=True)
class Block:
    """A rectangular part of a table: its caption (if printed), its columns and its rows."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    caption: str | None = None
    caption_aliases: tuple[str, ...] = ()
    header_labels: tuple[str, ...] = ()  # printed header cells that are not columns (信息内容, 申请人情况 …)
    extra_columns: tuple[str, ...] = ()  # columns some reports insert (小计): read past, never stored
    layout: Layout | None = None  # the official grid (header cells with spans); used by the renderers


@dataclass(frozen=True)
class Table:
    """One of the three statistical tables, in the section that prints it."""

    key: Literal["disclosure", "requests", "review"]
    section: str
    title: str
    blocks: tuple[Block, ...]
    group_labels: tuple[str, ...] = ()  # printed labels of row groups that carry no numbers
    group_keys: tuple[tuple[str, str], ...] = ()  # (group label, stable key) of the groups metrics sum up

    def cells(self) -> list[tuple[str, Block, Row, Column]]:
        """Every cell of the table in print order as (key, block, row, column)."""
        return list(self._cells)

    @cached_property
    def _cells(self) -> tuple[tuple[str, Block, Row, Column], ...]:
        return tuple(
            (f"{self.key}.{row.key}.{col.key}", block, row, col)
            for block in self.blocks
            for row in block.rows
            for col in block.columns
        )

    def row(self, key: str) -> Row:
        """The row keyed ``key`` (KeyError if the table has none)."""
        return self._rows[key][1]

    @cached_property
    def _rows(self) -> dict[str, tuple[Block, Row]]:
        """Row key → (its block, the row), the first of each key in print order (looked up per cell)."""
        found: dict[str, tuple[Block, Row]] = {}
        for block in self.blocks:
            for row in block.rows:
                found.setdefault(row.key, (block, row))
        return found

    def outcome_groups(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Metric key → (printed label, row keys) of the outcome rows (``Row.outcome``), in print order:
        a row under a keyed group (``group_keys``) counts towards its group, any other towards itself."""
        keys = dict(self.group_keys)
        groups: dict[str, tuple[str, tuple[str, ...]]] = {}
        for block in self.blocks:
            for row in block.rows:
                if row.outcome:
                    key, label = (keys[row.group], row.group) if row.group in keys else (row.key, row.label)
                    _, rows = groups.get(key, (label, ()))
                    groups[key] = (label, (*rows, row.key))
        return groups

    def block_of(self, row_key: str) -> Block:
        """The block that holds the row keyed ``row_key`` (KeyError if none)."""
        return self._rows[row_key][0]


@dataclass(frozen=True)
class Section:
    key: str
    number: str  # 一 … 六
    title: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # phrases that identify the heading when its wording varies
    title_en: str = ""  # the heading in English, e.g. "I. Overview"
    guidance: str = ""  # what the notice asks this section to report, in short (shown when drafting)

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"


@dataclass(frozen=True)
class IdentityRule:
    """A family of linear identities ``sum(lhs) == sum(rhs)``, declared over a table.

    ``over="columns"``: for every column c of the table, rows ``lhs``/``rhs`` of column c.
    ``over="rows"``: for every row r of the table, columns ``lhs``/``rhs`` of row r.
    """

    code: str
    number: int  # the identity's number in report-model.md
    table: str
    over: Literal["columns", "rows"]
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    label: str  # Chinese name of the identity as reviewers say it
    label_en: str


@dataclass(frozen=True)
class Equation:
    """One concrete identity: the cells on each side, and which declared rule it comes from."""

    rule: IdentityRule
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    along: str  # the column (or row) key this instance runs along

    @property
    def cells(self) -> tuple[str, ...]:
        return self.lhs + self.rhs


@dataclass(frozen=True)
class YearLink:
    """A family of identities across two years of one agency's reports: cell ``now`` of year Y equals
    the sum of cells ``before`` of year Y−1, plus ``plus`` and minus ``minus`` of year Y.

    ``over="rows"``: ``now``/``before``/``plus``/``minus`` are column keys, for every row of the table
    that has them all; ``over="columns"``: they are row keys, for every column of the table. ``code`` is
    the catalogue code a broken link is reported with (its severity says how exact the link is).
    """

    code: str
    table: str
    over: Literal["columns", "rows"]
    now: str
    before: tuple[str, ...]
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()
    name_before: bool = False  # findings also name last year's cells (when they differ from ``now``)


@dataclass(frozen=True)
class YearEquation:
    """One concrete cross-year identity: ``now`` (Y) = sum(``before``, Y−1) + sum(``plus``) − sum(``minus``) (Y)."""

    link: YearLink
    now: str
    before: tuple[str, ...]
    plus: tuple[str, ...]
    minus: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        """The cells a finding names: this year's, then (``name_before``) last year's."""
        return tuple(dict.fromkeys((self.now, *self.plus, *self.minus, *(self.before if self.link.name_before else ()))))


@dataclass(frozen=True)
class Format:
    """An official format version: sections, tables, identities and how to recognise it."""

    version: str
    name: str
    notice: str
    years: tuple[int, int | None]  # report years it is meant for (inclusive; None = open-ended)
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    identity_rules: tuple[IdentityRule, ...]
    year_links: tuple[YearLink, ...] = ()  # identities with the year before (cross-year checks)
    headline: tuple[str, ...] = ()  # cell keys whose jump from the year before is checked

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def cell_keys(self) -> list[str]:
        """Every cell key of the format, in print order."""
        return [key for table in self.tables for key, *_ in table.cells()]

    def cell_info(self) -> dict[str, tuple[Table, Block, Row, Column]]:
        """Cell key → (table, block, row, column), for labelling and typing cells."""
        return dict(self._cell_info)

    @cached_property
    def _cell_info(self) -> dict[str, tuple[Table, Block, Row, Column]]:
        return {key: (t, b, r, c) for t in self.tables for key, b, r, c in t.cells()}

    def cell_label(self, key: str) -> str:
        """The printed labels of a cell, e.g. ``（三）不予公开 1.属于国家秘密 · 自然人``."""
        table, _block, row, col = self._cell_info[key]
        return f"{row.full_label} · {col.label}"

    def table_heading(self, table_key: str, lang: str = "zh") -> str:
        """The heading of the section a table is printed in (二、主动公开政府信息情况 / II. Proactive disclosure)."""
        section_key = self.table(table_key).section
        section = next((s for s in self.sections if s.key == section_key), None)
        if section is None:
            return table_key
        return section.heading if lang == "zh" else section.title_en or section.heading

    def cell_lines(self, cells: Sequence[str], lang: str = "zh") -> list[str]:
        """The cells of a finding as printed in the format, one line per table row.

        Cells of one row share a line (``（三）不予公开 1.属于国家秘密 · 自然人、总计``); a row named in
        full is ``· 整行``, a table named in full one line. In English the keys (``requests.new.*``);
        a key the format lacks is a line of its own."""
        zh = lang == "zh"
        named = set(cells)
        whole = {t.key for t in self.tables if all(k in named for k, *_ in t.cells())}
        groups: dict[tuple[str, str], list[Column]] = {}
        for key in cells:
            if key not in self._cell_info:
                groups.setdefault((key, ""), [])
                continue
            table, _block, row, col = self._cell_info[key]
            if table.key in whole:
                groups.setdefault((table.key, "*"), [])
            else:
                groups.setdefault((table.key, row.key), []).append(col)
        lines = []
        for (first, second), cols in groups.items():
            if not second:
                lines.append(first)
            elif second == "*":
                lines.append(f"{self.table_heading(first, 'zh')} · 整张表" if zh else f"{first}.*")
            else:
                row = self.table(first).row(second)
                full_row = len(cols) > 1 and len(cols) == len(self.table(first).block_of(second).columns)
                if zh:
                    lines.append(f"{row.full_label} · {'整行' if full_row else '、'.join(c.label for c in cols)}")
                else:
                    names = "*" if full_row else cols[0].key if len(cols) == 1 else "{" + ",".join(c.key for c in cols) + "}"
                    lines.append(f"{first}.{second}.{names}")
        return lines

    def identities(self) -> list[Equation]:
        """Every concrete equation of every declared identity rule (built once per format)."""
        return list(self._identities)

    def identity_tables(self) -> frozenset[str]:
        """The keys of the tables that some identity rule tests."""
        return self._identity_tables

    @cached_property
    def _identity_tables(self) -> frozenset[str]:
        return frozenset(eq.rule.table for eq in self._identities)

    @cached_property
    def _identities(self) -> tuple[Equation, ...]:
        equations: list[Equation] = []
        for rule in self.identity_rules:
            table = self.table(rule.table)
            if rule.over == "columns":
                columns = [c for b in table.blocks for c in b.columns]
                for col in dict.fromkeys(columns):
                    equations.append(
                        Equation(
                            rule,
                            tuple(f"{table.key}.{r}.{col.key}" for r in rule.lhs),
                            tuple(f"{table.key}.{r}.{col.key}" for r in rule.rhs),
                            col.key,
                        )
                    )
            else:
                for block in table.blocks:
                    for row in block.rows:
                        equations.append(
                            Equation(
                                rule,
                                tuple(f"{table.key}.{row.key}.{c}" for c in rule.lhs),
                                tuple(f"{table.key}.{row.key}.{c}" for c in rule.rhs),
                                row.key,
                            )
                        )
        return tuple(equations)

    def year_equations(self, previous: Format) -> list[YearEquation]:
        """Every concrete cross-year identity of this format's links against a report of ``previous``
        the year before: those whose cells this year's format and last year's both have (computed once
        per pair of formats: the cross-year checks ask for every pair of reports)."""
        found = self._year_equations.get(previous.version)
        if found is None:
            found = self._year_equations[previous.version] = self._equations_with(previous)
        return list(found)

    @cached_property
    def _year_equations(self) -> dict[str, list[YearEquation]]:
        return {}

    def _equations_with(self, previous: Format) -> list[YearEquation]:
        now_keys, before_keys = set(self.cell_keys()), set(previous.cell_keys())
        equations = []
        for link in self.year_links:
            table = self.table(link.table)
            if link.over == "rows":
                lines = [(f"{table.key}.{row.key}.", "") for block in table.blocks for row in block.rows]
            else:
                lines = [(f"{table.key}.", f".{col.key}") for col in dict.fromkeys(
                    c for block in table.blocks for c in block.columns)]
            for head, tail in lines:
                def keys(names: tuple[str, ...], head: str = head, tail: str = tail) -> tuple[str, ...]:
                    return tuple(f"{head}{name}{tail}" for name in names)
                equation = YearEquation(link, *keys((link.now,)), keys(link.before), keys(link.plus), keys(link.minus))
                if {equation.now, *equation.plus, *equation.minus} <= now_keys and set(equation.before) <= before_keys:
                    equations.append(equation)
        return equations

    def applies_to_year(self, year: int) -> bool:
        start, end = self.years
        return year >= start and (end is None or year <= end)
