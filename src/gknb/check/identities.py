"""Identities 1–4 of the format, with the smallest explanation of the failures.

One wrong cell breaks its row equation and its column equations. Before reporting equations, the
rule looks for cells that alone explain several failing equations (every equation of the cell
fails, and all of them agree on the value the cell should have) and reports each such culprit once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from operator import itemgetter

from ..formats import Equation
from ..report import Finding, Report, Value
from .facts import FormatFacts, facts_for
from .quoting import quoted_value
from .registry import finding, rule

Number = int | Decimal
# Sums, differences and remainders of printed numbers, exact whatever their size (the default context
# rounds to 28 digits, and cannot take the remainder of a larger quotient at all).
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@rule("identity.review_total")
@rule("identity.row_total")
@rule("identity.outcomes_total")
@rule("identity.balance")
@rule("identity.cell")
def identities(report: Report) -> Iterator[Finding]:
    """Evaluate every equation of ``Format.identities()``; explain failures by culprit cells first."""
    with localcontext(_EXACT):  # all of it here: a generator suspended inside would lend its context out
        found = list(_identities(report))
    yield from found


def _identities(report: Report) -> Iterator[Finding]:
    facts = facts_for(report.format)
    cells = report.cells
    failing: dict[int, Number] = {}  # equation index → lhs − rhs
    verifiable: set[int] = set()
    unverifiable: dict[str, list[tuple[Equation, Number, Number, list[str]]]] = {}
    keys, sides = _compiled(facts)
    read = [*map(cells.get, keys), 0]  # every equation cell's value by index; the last, a 0 (see _compiled)
    for index, equation in enumerate(facts.equations):
        lhs_of, rhs_of = sides[index]
        left, right = lhs_of(read), rhs_of(read)
        if None not in left and None not in right:  # every cell printed: holds, or fails (summed as below)
            verifiable.add(index)
            if sum(left) != sum(right):
                failing[index] = _sum(cells, equation.lhs) - _sum(cells, equation.rhs)
            continue
        blanks = [key for key in equation.cells if cells.get(key) is None]
        if len(blanks) == len(equation.cells):
            continue
        lhs = _sum(cells, equation.lhs)
        rhs = _sum(cells, equation.rhs)
        if not blanks:
            verifiable.add(index)
            if lhs != rhs:
                failing[index] = lhs - rhs
        elif lhs != rhs:
            unverifiable.setdefault(equation.rule.code, []).append((equation, lhs, rhs, blanks))

    remaining = set(failing)
    for culprit, corrected, explained in _culprits(facts, cells, failing, verifiable):
        remaining -= explained
        yield _culprit_finding(facts, report, culprit, corrected, sorted(explained))
    for index in sorted(remaining):
        yield _equation_finding(facts, facts.equations[index], failing[index], cells)
    for code, items in unverifiable.items():
        yield _unverifiable_finding(facts, code, items)


_COMPILED: dict[str, tuple[FormatFacts, tuple[str, ...], list[tuple[itemgetter, itemgetter]]]] = {}


def _compiled(facts: FormatFacts) -> tuple[tuple[str, ...], list[tuple[itemgetter, itemgetter]]]:
    """The format's equations as index arithmetic, made once per format: the keys of every equation
    cell, and per equation one getter per side that takes its values out of the list of those keys'
    values in one call. Each getter also takes the list's last item, a 0 that holds no cell, so a side
    is always a tuple (itemgetter of one index gives the item itself) and sums alike."""
    cached = _COMPILED.get(facts.format.version)
    if cached is None or cached[0] is not facts:
        keys = tuple(dict.fromkeys(k for equation in facts.equations for k in equation.cells))
        at = {key: i for i, key in enumerate(keys)}
        zero = len(keys)
        sides = [(itemgetter(*(at[k] for k in equation.lhs), zero, zero),
                  itemgetter(*(at[k] for k in equation.rhs), zero, zero)) for equation in facts.equations]
        cached = _COMPILED[facts.format.version] = (facts, keys, sides)
    return cached[1], cached[2]


def _sum(cells: dict[str, Value], keys: tuple[str, ...]) -> Number:
    return sum((cells.get(key) or 0 for key in keys), 0)


def _correction(equation: Equation, key: str, value: Number, difference: Number) -> Number | None:
    """The value of ``key`` that makes ``equation`` hold, or None when the cell cannot fix it alone."""
    coefficient = equation.lhs.count(key) - equation.rhs.count(key)
    if coefficient == 0 or difference % coefficient:
        return None
    return value - difference // coefficient


def _culprits(
    facts: FormatFacts, cells: dict[str, Value], failing: dict[int, Number], verifiable: set[int]
) -> Iterator[tuple[str, Number, set[int]]]:
    """Greedy: the cell explaining the most still-unexplained failing equations, until none explains ≥2."""
    candidates: dict[str, tuple[Number, set[int]]] = {}
    for key in dict.fromkeys(k for index in failing for k in facts.equations[index].cells):
        own = [i for i in facts.equations_of.get(key, ()) if i in verifiable]
        if len(own) < 2 or any(i not in failing for i in own):
            continue
        value = cells[key]
        corrections = {i: _correction(facts.equations[i], key, value, failing[i]) for i in own}
        tally = Counter(v for v in corrections.values() if v is not None)
        if not tally:
            continue
        corrected, count = tally.most_common(1)[0]
        if count < 2 or (corrected < 0 and facts.kind.get(key) != "signed"):
            continue
        candidates[key] = (corrected, {i for i, v in corrections.items() if v == corrected})

    remaining = set(failing)
    while candidates:
        key = max(candidates, key=lambda k: (len(candidates[k][1] & remaining), -facts.position[k]))
        corrected, explained = candidates.pop(key)
        explained &= remaining
        if len(explained) < 2:
            return
        remaining -= explained
        yield key, corrected, explained


def _culprit_finding(
    facts: FormatFacts, report: Report, key: str, corrected: Number, explained: list[int]
) -> Finding:
    equations = [facts.equations[i] for i in explained]
    printed, printed_en = quoted_value(report, key)
    names = "；".join(facts.describe(e) for e in equations)
    names_en = "; ".join(facts.describe_en(e) for e in equations)
    return finding(
        "identity.cell",
        [key, *(k for e in equations for k in e.cells)],
        f"{facts.quoted(key)}可能有误：按勾稽关系应为 {corrected}（{printed}），"
        f"这一处即可解释 {len(equations)} 个不成立的等式：{names}",
        f"{key} is probably wrong: the identities give {corrected} ({printed_en}); "
        f"this one cell explains {len(equations)} failing equations: {names_en}",
    )


def _side(facts: FormatFacts, keys: tuple[str, ...]) -> str:
    if len(keys) <= 3:
        return "+".join(facts.quoted(k) for k in keys)
    return f"{len(keys)}项之和"


def _equation_finding(facts: FormatFacts, equation: Equation, difference: Number,
                      cells: dict[str, Value]) -> Finding:
    lhs, rhs = _sum(cells, equation.lhs), _sum(cells, equation.rhs)
    return finding(
        equation.rule.code,
        equation.cells,
        f"{facts.describe(equation)}不成立：{_side(facts, equation.lhs)} = {lhs}，"
        f"{_side(facts, equation.rhs)} = {rhs}，相差 {abs(difference)}",
        f"{facts.describe_en(equation)} fails: left side {lhs}, right side {rhs}, "
        f"difference {abs(difference)}",
    )


def _unverifiable_finding(
    facts: FormatFacts, code: str, items: list[tuple[Equation, Number, Number, list[str]]]
) -> Finding:
    """One warning per identity: equations that fail when blanks count as 0, so cannot be verified."""
    parts, parts_en = [], []
    for equation, lhs, rhs, blanks in items:
        part = f"{facts.describe(equation)}（空白按0计：{lhs} ≠ {rhs}"
        part_en = f"{facts.describe_en(equation)} (blanks as 0: {lhs} ≠ {rhs}"
        if len(blanks) == 1:
            implied = _correction(equation, blanks[0], 0, lhs - rhs)
            if implied is not None and implied >= 0:
                part += f"；若{facts.quoted(blanks[0])}为 {implied} 则成立"
                part_en += f"; holds if {blanks[0]} is {implied}"
        parts.append(part + "）")
        parts_en.append(part_en + ")")
    blank_cells = [k for *_, blanks in items for k in blanks]
    return finding(
        code,
        [*blank_cells, *(k for equation, *_ in items for k in equation.cells)],
        f"含空白单元格，无法核验（空白不等于0）：{'；'.join(parts)}",
        f"cannot be verified because of blank cells (blank is not 0): {'; '.join(parts_en)}",
        severity="warning",
    )
