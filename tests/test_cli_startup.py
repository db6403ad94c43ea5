"""What a one-file ``gknb check`` loads, and the plain console it prints to a pipe with (issue 15).

The plain console writes the lines Rich would write for a file or a pipe without loading Rich; these
tests hold its output to Rich's own, character for character, and the quick path to importing none of
the heavy libraries.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text

from gknb.cli import terminal
from gknb.formats import FORMATS
from layouts import random_report, render

HEAVY = ("rich", "typer", "click", "pydantic", "sqlalchemy", "alembic", "openpyxl", "numpy", "httpx", "docx",
         "lxml", "pypdfium2", "charset_normalizer", "opencc", "cn2an", "fastapi", "starlette", "jinja2")
LOADED = ("import atexit, json, sys\n"
          "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
          "from gknb.cli import app\n"
          "app(sys.argv[1:])\n")


def loaded_by(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``gknb argv`` (the quick path, output piped) and return it with the modules it had loaded."""
    done = subprocess.run([sys.executable, "-c", LOADED, *argv], capture_output=True, text=True, timeout=120)
    marker = done.stderr.rindex("\nMODULES ")
    return done, {name.split(".")[0] for name in json.loads(done.stderr[marker + len("\nMODULES "):])}


@pytest.fixture(scope="module")
def clean_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated report of a county's agency with no findings (the benchmark's kind of file)."""
    fmt = FORMATS["2021"]
    rnd = random.Random(15)
    path = tmp_path_factory.mktemp("startup") / "report.txt"
    path.write_text(render(fmt, random_report(fmt, rnd), "tab", rnd, year=2021, agency="连云区民政局",
                           bare_review=False), encoding="utf-8")
    return path


def test_one_file_check_loads_no_heavy_library(clean_report: Path):
    """``gknb check one.txt > file``: neither Rich nor Typer nor any store, web or converter library is
    imported, in the process itself (``--timeout 0``) or before the worker is forked."""
    for argv in (["check", "--timeout", "0", str(clean_report)], ["check", str(clean_report)]):
        done, modules = loaded_by(*argv)
        assert done.returncode == 0, done.stderr
        assert "未发现问题" in done.stdout
        assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_json_output_loads_no_rich_even_with_findings(tmp_path: Path):
    """``--json``/``--jsonl`` print JSON: no Rich, whatever the findings; a missing file's error (stderr,
    piped) neither."""
    for argv in (["check", "--json", "--timeout", "0", str(tmp_path / "missing.txt")],
                 ["check", "--jsonl", "--timeout", "0", str(Path(terminal.__file__).parents[1] / "samples")]):
        done, modules = loaded_by(*argv)
        assert done.stdout.strip().startswith(("[", "{")), done.stderr
        assert "rich" not in modules


def captured(write) -> str:  # noqa: ANN001 - a callable printing to sys.stdout
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        write()
    return buffer.getvalue()


TEXTS = ("", "plain", "连云区民政局2021年政府信息公开工作年度报告", "机关：连云区    年度：2021    ", "a\tb", "carriage\rreturn",
         "bell\x07", "—  · …", "trailing   ", "x" * 6000, "数" * 4000, "\u200bzero width", "\ud800 lone surrogate")


@pytest.mark.parametrize("text", TEXTS)
def test_plain_lines_are_what_rich_prints(text: str):
    """``say`` to a pipe writes exactly what a Rich console writes for the same Text (styles vanish)."""
    pieces = (("head: ", "dim"), (text, "bold red"), " tail")
    ours = captured(lambda: terminal.say(terminal.Plain(), *pieces))
    rich = captured(lambda: terminal.console().print(Text.assemble(*pieces)))
    assert ours == rich


@pytest.mark.parametrize("title", ["/tmp/gknb/0000.txt", "报告/连云区民政局 2021（定稿）.txt", "x" * 98, "x" * 99,
                                   "报" * 49, "报" * 50, "tab\there", "", "é-accented.txt", "/" + "深" * 30 + "x" * 40])
def test_plain_heading_is_rich_rule(title: str):
    """A heading to a pipe is Rich's left-aligned rule, ``HEADING_WIDTH`` columns, long titles included."""
    ours = captured(lambda: terminal.heading(terminal.Plain(), title, "bold"))
    rich = captured(lambda: terminal.heading(terminal.console(), Text(title, style="bold")))
    assert ours == rich


def test_plain_widths_are_richs():
    """Every character the plain console measures itself has the width Rich gives it."""
    measured = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and terminal._width(chr(c)) is not None]
    assert len(measured) > 20_000
    assert all(terminal._width(c) == cell_len(c) for c in measured)


def test_terminal_output_stays_rich(monkeypatch: pytest.MonkeyPatch):
    """Where Rich would see a terminal (forced by the environment as Rich reads it), ``output`` is Rich's."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not isinstance(terminal.output(), terminal.Plain)
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    assert isinstance(terminal.output(), terminal.Plain)
    monkeypatch.delenv("TTY_COMPATIBLE")
    monkeypatch.setenv("FORCE_COLOR", "")
    assert isinstance(terminal.output(), terminal.Plain) and not terminal.console().is_terminal
