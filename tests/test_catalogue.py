"""The one catalogue of findings: every code any stage emits is declared, listed and documented."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, SAMPLES, read_cached
from gknb.catalogue import CATALOGUE, CHECK_STAGES, SEVERITIES, STAGES, finding
from gknb.check import RULES
from gknb.check.crossyear import cross_year
from gknb.cli import app

ROOT = Path(__file__).parents[1]
SOURCE = ROOT / "src" / "gknb"
DOCUMENTED = set(re.findall(r"^### `([a-z0-9_.]+)`", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"),
                            re.MULTILINE))


READABLE = (".txt", ".md", ".html", ".docx", ".pdf")  # the media the test corpus holds (truth files aside)


def corpus_files() -> list[Path]:
    """The samples and every report of the test corpus: the pages, the converter copies, the real PDF."""
    return sorted([*SAMPLES.glob("*.txt"), *(p for p in CORPUS.rglob("*") if p.suffix in READABLE)])


def test_every_entry_is_complete_and_documented():
    assert set(CATALOGUE) == DOCUMENTED
    for code, entry in CATALOGUE.items():
        assert entry.code == code and entry.stage in STAGES and entry.severity in SEVERITIES
        assert entry.title and entry.title_en and entry.description
        assert set(entry.overrides) <= set(SEVERITIES) - {entry.severity}, code
    assert {c.stage for c in CATALOGUE.values()} == set(STAGES)


def test_check_rules_are_the_check_stages_codes():
    assert set(RULES) == {c for c, e in CATALOGUE.items() if e.stage in CHECK_STAGES}


def test_finding_takes_the_declared_severity_and_only_documented_overrides():
    assert finding("table.missing", ["a", "a", "b"], "m", "e").severity == "warning"
    assert finding("table.missing", ["a", "a", "b"], "m", "e").cells == ("a", "b")
    assert finding("table.missing", (), "m", "e", "error").severity == "error"
    with pytest.raises(ValueError):
        finding("cell.blank", (), "m", "e", "error")
    with pytest.raises(KeyError):
        finding("no.such_code", (), "m", "e")


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    found = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called == name:
                    found.append((path, node))
    return found


def test_every_code_named_in_the_source_is_catalogued():
    """Each stage's ``finding("code", …)`` / ``note("code", …)`` / ``rule("code")`` names a catalogued code,
    and no stage builds a ``Finding("code", …)`` of its own (only stored findings are rebuilt)."""
    named = {(path.name, node.args[0].value) for call in ("finding", "note", "rule", "bad_value")
             for path, node in _calls(call)
             if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}
    assert len(named) > 40
    assert not {code for _, code in named} - set(CATALOGUE)
    bare = [f"{path.relative_to(SOURCE)}:{node.lineno}" for path, node in _calls("Finding")
            if node.args and isinstance(node.args[0], ast.Constant)]
    assert not bare, f"findings built outside the catalogue: {bare}"


def test_every_code_the_corpus_carries_is_catalogued_and_documented():
    """The whole corpus, read and checked, then each report against the one before as cross-year."""
    reports = [read_cached(path) for path in corpus_files()]
    assert len(reports) >= 25 and {p.suffix for p in corpus_files()} >= {".txt", ".md", ".pdf"}
    found = [f for r in reports for f in r.findings]
    found += [f for a, b in zip(reports, reports[1:], strict=False)
              for f in cross_year(a, [_year_before(b, a)]) if a.meta.year is not None]
    codes = {f.rule for f in found}
    assert len(codes) >= 10
    assert codes <= set(CATALOGUE), codes - set(CATALOGUE)
    assert codes <= DOCUMENTED
    assert any(CATALOGUE[f.rule].stage == "parse" for f in found)
    assert any(CATALOGUE[f.rule].stage == "cross-year" for f in found)
    for f in found:
        assert f.severity in CATALOGUE[f.rule].severities(), (f.rule, f.severity)


def _year_before(report, current):
    """``report`` as if it were the same agency's report of the year before ``current``."""
    from dataclasses import replace

    return replace(report, meta=replace(report.meta, year=current.meta.year - 1, template=current.meta.template),
                   cells={k: report.cells.get(k) for k in current.cells})


def test_gknb_rules_lists_the_whole_catalogue():
    result = CliRunner().invoke(app, ["rules", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == list(CATALOGUE)
    listed = {r["code"]: r for r in rows}
    assert listed["parse.row_missing"]["stage"] == "parse"
    assert listed["table.missing"]["severity"] == "warning"
    assert listed["table.missing"]["overrides"] == {"error": "the table of section 三"}
    table = CliRunner().invoke(app, ["rules"]).stdout
    assert all(code in table for code in CATALOGUE)
    assert "警告/错误" in table  # section.missing, table.missing: as emitted, not only the default
