"""The ``gknb`` command line: outputs, JSON contract, batches, exit statuses, inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gknb
from gknb.cli import app, cell_labels
from gknb.document import Source
from gknb.formats import FORMATS
from gknb.report import Finding, Meta, Report

SAMPLES = sorted((Path(gknb.__file__).parent / "samples").glob("*.txt"))
CONTRACT_KEYS = {"source", "meta", "sections", "cells", "provenance", "findings"}
ENV = {"COLUMNS": "200"}  # wide terminal: no wrapping inside names


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env=ENV)


def as_json(*args: str):
    result = invoke(*args, "--json")
    return result, json.loads(result.stdout)


def squeeze(text: str) -> str:
    """Text without whitespace: table cells wrap long messages at any space."""
    return "".join(text.split())


def has_error(entry: dict) -> bool:
    return any(f["severity"] == "error" for f in entry["findings"])


@pytest.fixture
def samples_dir(tmp_path: Path) -> Path:
    """The samples copied into a tree: two at the top, one nested, plus files that are not reports."""
    (tmp_path / "nested").mkdir()
    shutil.copy(SAMPLES[0], tmp_path / SAMPLES[0].name)
    shutil.copy(SAMPLES[1], tmp_path / SAMPLES[1].name)
    shutil.copy(SAMPLES[2], tmp_path / "nested" / SAMPLES[2].name)
    (tmp_path / "notes.py").write_text("print('not a report')\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return tmp_path


def test_samples_are_bundled():
    assert len(SAMPLES) >= 3


def test_serve_loads_the_bundled_samples():
    """``gknb serve --samples`` (``make run``) ingests the bundled reports, not a folder that is not there."""
    from gknb.cli.web import SAMPLES as SERVED

    assert sorted(SERVED.glob("*.txt")) == SAMPLES


def test_version_and_help():
    assert invoke("--version").stdout.strip() == f"gknb {gknb.__version__}"
    result = invoke("check", "--help")
    assert result.exit_code == 0
    assert "--json" in result.stdout and "--lang" in result.stdout


def test_check_prints_chinese_summary_with_agency():
    result, entries = as_json("check", *map(str, SAMPLES))
    text = invoke("check", *map(str, SAMPLES))
    assert "Traceback" not in text.output
    assert text.exit_code == (1 if any(map(has_error, entries)) else 0)
    for entry in entries:
        assert entry["meta"]["agency"], entry["source"]["path"]
        assert entry["meta"]["agency"] in text.stdout
    assert "错误" in text.stdout and "警告" in text.stdout and "提示" in text.stdout
    assert f"共 {len(SAMPLES)} 个文件" in text.stdout


def test_check_messages_follow_lang():
    result, entries = as_json("check", *map(str, SAMPLES))
    findings = [f for e in entries for f in e["findings"]]
    english = invoke("check", "--lang", "en", *map(str, SAMPLES))
    assert f"Files: {len(SAMPLES)}" in english.stdout
    if findings:
        chinese = invoke("check", *map(str, SAMPLES))
        assert findings[0]["rule"] in english.stdout and findings[0]["rule"] in chinese.stdout
        assert squeeze(findings[0]["message_en"][:10]) in squeeze(english.stdout)
        assert squeeze(findings[0]["message"][:10]) in squeeze(chinese.stdout)


def test_json_array_has_exactly_the_contract_keys():
    result, entries = as_json("check", *map(str, SAMPLES))
    assert isinstance(entries, list) and len(entries) == len(SAMPLES)
    for entry, path in zip(entries, SAMPLES, strict=True):
        assert set(entry) == CONTRACT_KEYS
        assert entry["source"]["path"] == str(path)
        assert entry["meta"]["template"] in ("2021", "2019", "pre2019", "unknown")
        for finding in entry["findings"]:
            assert set(finding) == {"rule", "severity", "cells", "message", "message_en"}
    assert result.exit_code == (1 if any(map(has_error, entries)) else 0)


def test_json_one_file_is_one_object_and_utf8():
    result, entry = as_json("check", str(SAMPLES[0]))
    assert isinstance(entry, dict) and set(entry) == CONTRACT_KEYS
    assert "\\u" not in result.stdout  # ensure_ascii=False: Chinese printed as is
    assert entry == gknb.read(SAMPLES[0]).as_dict()


def test_parse_json_matches_library():
    result, entry = as_json("parse", str(SAMPLES[1]))
    assert result.exit_code == 0
    assert entry["cells"] == gknb.read(SAMPLES[1]).as_dict()["cells"]


def test_parse_shows_table_cells():
    result = invoke("parse", str(SAMPLES[0]))
    assert result.exit_code == 0
    assert "收到和处理政府信息公开申请情况" in result.stdout
    assert "自然人" in result.stdout


def test_jsonl_one_object_per_line():
    result = invoke("check", "--jsonl", *map(str, SAMPLES))
    lines = result.stdout.splitlines()
    assert len(lines) == len(SAMPLES)
    assert [set(json.loads(line)) for line in lines] == [CONTRACT_KEYS] * len(SAMPLES)


def test_unreadable_file_among_good_ones(tmp_path: Path):
    missing = tmp_path / "不存在的报告.txt"
    args = [str(SAMPLES[0]), str(missing), str(SAMPLES[1])]
    result, entries = as_json("check", *args)
    assert result.exit_code == 2
    assert [e["source"]["path"] for e in entries] == args
    bad = entries[1]
    assert set(bad) == {"source", "error"}
    assert set(bad["error"]) == {"code", "message", "message_en"}
    assert set(entries[0]) == set(entries[2]) == CONTRACT_KEYS
    for message in (bad["error"]["message"], bad["error"]["message_en"], missing.name):
        assert message in result.stderr
    assert "Traceback" not in result.output

    text = invoke("check", *args)
    assert text.exit_code == 2
    assert "无法读取" in text.stderr and "cannot read" in text.stderr
    assert "1 个无法读取" in text.stdout


def test_binary_and_empty_files_exit_2(tmp_path: Path):
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "empty.txt").write_bytes(b"")
    for name in ("binary.txt", "empty.txt"):
        result = invoke("check", str(tmp_path / name))
        assert result.exit_code == 2, result.output
        assert name in result.stderr
        assert "Traceback" not in result.output


def test_directory_argument_recurses_to_reports(samples_dir: Path):
    result, entries = as_json("check", str(samples_dir))
    assert isinstance(entries, list) and len(entries) == 3
    assert {Path(e["source"]["path"]).name for e in entries} == {p.name for p in SAMPLES[:3]}
    assert result.exit_code in (0, 1)


def test_glob_argument_is_expanded(samples_dir: Path):
    result, entries = as_json("check", str(samples_dir / "*.txt"))
    assert len(entries) == 2
    result, entries = as_json("check", str(samples_dir / "**" / "*.txt"))
    assert len(entries) == 3


def test_glob_without_match_and_empty_directory(tmp_path: Path):
    result = invoke("check", "--json", str(tmp_path / "*.txt"))
    assert result.exit_code == 2
    assert "no files match" in result.stderr
    assert [e["error"]["code"] for e in json.loads(result.stdout)] == ["file.unreadable"]
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2
    assert "no report files" in result.stderr


def test_rules_lists_the_registry():
    result = invoke("rules", "--json")
    assert result.exit_code == 0
    rules = json.loads(result.stdout)
    assert rules and all(r["code"] and r["severity"] in ("error", "warning", "info") for r in rules)
    assert all(r["title"] and r["title_en"] for r in rules)
    table = invoke("rules")
    assert all(r["code"] in table.stdout for r in rules)


def test_python_dash_m_gknb():
    result = subprocess.run(
        [sys.executable, "-m", "gknb", "check", "--json", str(SAMPLES[0])],
        capture_output=True, check=False, timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr.decode("utf-8", "replace")
    entry = json.loads(result.stdout.decode("utf-8"))
    assert set(entry) == CONTRACT_KEYS
    assert result.returncode == (1 if has_error(entry) else 0)


HEAVY = ("sqlalchemy", "alembic", "openpyxl", "numpy", "httpx", "docx", "cn2an", "fastapi", "starlette", "argon2",
         "pypdfium2", "rapidocr", "typer", "click", "pydantic",
         "lxml", "charset_normalizer", "opencc")  # and a text file needs no HTML parser, encoding guesser or t2s
_IMPORTED_BY_CHECK = """
import sys
from gknb.cli import app
try:
    app(["check", "--timeout", "0", sys.argv[1]])
except SystemExit:
    pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_check_imports_no_database_web_spreadsheet_or_http_library():
    """``gknb check`` of a text file (read in this very process: ``--timeout 0``) loads none of the heavy
    libraries other commands need, nor Typer (the quick route reads its command line); those commands
    are still there."""
    result = subprocess.run([sys.executable, "-c", _IMPORTED_BY_CHECK, str(SAMPLES[0])], capture_output=True,
                            check=True, timeout=120)
    loaded = set(result.stdout.decode("utf-8").splitlines()[-1].split())
    assert "gknb" in loaded and not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    listed = invoke("--help").stdout
    assert all(name in listed for name in ("check", "ingest", "serve", "worker", "roster", "render", "agency"))


# Command lines the quick route runs: each must reach the command body as Typer would pass it.
QUICK_LINES = [
    ["check", "a.txt"], ["check", "a.txt", "b.txt", "--json"], ["check", "--lang", "en", "a.txt"],
    ["check", "--lang=en", "--timeout=5", "a.txt"], ["check", "--timeout", "0", "--jsonl", "--", "-x.txt", "--json"],
    ["check", "--json", "--json", "-", "a.txt"], ["check", "a.txt", "--timeout", "2.5", "--lang", "zh", "--lang", "en"],
    ["parse", "a.txt", "--jsonl"], ["parse", "--lang", "en", "dir"], ["rules"], ["rules", "--json", "--lang", "en"],
]
# Lines it leaves to Typer: help, errors, --urls, values it does not read as Typer does.
TYPER_LINES = [
    [], ["--help"], ["check"], ["check", "--help", "a.txt"], ["check", "--lang", "fr", "a.txt"], ["check", "--lang"],
    ["check", "--timeout", "1e3", "a.txt"], ["check", "--timeout", "-1", "a.txt"], ["check", "--json=1", "a.txt"],
    ["check", "-j", "a.txt"], ["check", "--urls", "u.txt"], ["check", "--json", "--jsonl", "a.txt"],
    ["check", "--jso", "a.txt"], ["rules", "a.txt"], ["rules", "--timeout", "5"], ["ingest", "a.txt"], ["chek", "a.txt"],
]


def _typer_call(line: list[str]) -> dict:
    """The arguments Typer's command for ``line`` passes to its body (check_files, parse_files, print_rules)."""
    import typer.main

    from gknb.cli import commands

    group = typer.main.get_command(commands.app)
    command = group.get_command(group.context_class(group, info_name="gknb"), line[0])
    params = command.make_context(line[0], line[1:]).params
    call = {"json_": params["json_"], "lang": params["lang"].value}
    if line[0] != "rules":
        call |= {"inputs": commands._inputs(params["files"], params["urls"]), "jsonl": params["jsonl"],
                 "timeout": params["timeout"]}
    return call


def _quick_call(line: list[str]) -> dict:
    import inspect

    from gknb.cli import quick_call

    quick = quick_call(line)
    assert quick is not None, line
    body, arguments = quick
    assert body.__name__ == {"check": "check_files", "parse": "parse_files", "rules": "print_rules"}[line[0]]
    bound = inspect.signature(body).bind(**arguments)
    bound.apply_defaults()
    return dict(bound.arguments)


@pytest.mark.parametrize("line", QUICK_LINES, ids=" ".join)
def test_quick_route_reads_a_command_line_as_typer_does(line: list[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GKNB_TIMEOUT", raising=False)
    assert _quick_call(line) == _typer_call(line)
    monkeypatch.setenv("GKNB_TIMEOUT", "7")  # the option's environment variable, unless the option is given
    assert _quick_call(line) == _typer_call(line)


@pytest.mark.parametrize("line", TYPER_LINES, ids=" ".join)
def test_quick_route_leaves_every_other_line_to_typer(line: list[str], monkeypatch: pytest.MonkeyPatch):
    from gknb.cli import quick_call

    monkeypatch.delenv("GKNB_TIMEOUT", raising=False)
    assert quick_call(line) is None
    monkeypatch.setenv("GKNB_TIMEOUT", "soon")  # a value Typer refuses: Typer says so
    assert quick_call(["check", "a.txt"]) is None


def test_quick_route_options_are_typers():
    """Every option the quick route reads is the command's own in the Typer declaration, a flag where it
    is one, with the same environment variable (the choices and numbers: the lines above)."""
    import typer.main

    from gknb.cli import _ENVVARS, QUICK_OPTIONS, commands

    group = typer.main.get_command(commands.app)
    for name, options in QUICK_OPTIONS.items():
        command = group.get_command(group.context_class(group, info_name="gknb"), name)
        declared = {opt: param for param in command.params for opt in param.opts if opt.startswith("--")}
        for flag, (parameter, takes) in options.items():
            param = declared[flag]
            assert param.name == parameter
            assert param.is_flag == (takes == "flag"), flag
            assert param.envvar == _ENVVARS.get(parameter), flag


def test_quick_route_runs_check_as_the_console_script(tmp_path: Path):
    """``gknb check`` and ``gknb parse`` through the console script print what Typer's commands print, and
    exit with the same status; ``--help`` and errors still come from Typer."""
    for line in (["check", str(SAMPLES[0])], ["check", "--json", str(SAMPLES[1])], ["parse", "--lang", "en", str(SAMPLES[2])],
                 ["check", "--jsonl", str(tmp_path / "missing.txt")], ["rules"]):
        quick = subprocess.run([sys.executable, "-m", "gknb", *line], capture_output=True, check=False, timeout=120)
        typer_run = invoke(*line)
        assert quick.returncode == typer_run.exit_code, line
        assert quick.stdout.decode("utf-8") == typer_run.stdout, line
    helped = subprocess.run([sys.executable, "-m", "gknb", "check", "--help"], capture_output=True, timeout=120)
    assert helped.returncode == 0 and "--timeout" in helped.stdout.decode("utf-8")
    refused = subprocess.run([sys.executable, "-m", "gknb", "check", "--lang", "fr", "a.txt"], capture_output=True, timeout=120)
    assert refused.returncode == 2 and "fr" in refused.stderr.decode("utf-8")


def fake_report(path: str, **_options: object) -> Report:
    """A report built by hand, so the rendering is tested independently of the parser."""
    report = Report(
        Source(path, "0" * 64, "txt"),
        Meta(title="测试镇2021年政府信息公开工作年度报告", agency="测试镇人民政府", year=2021, template="2021"),
    )
    report.cells = dict.fromkeys(FORMATS["2021"].cell_keys())
    report.cells["requests.new.natural_person"] = 3
    report.findings = [
        Finding("identity.balance", "error", ("requests.new.total", "requests.total.total"),
                "勾稽关系不成立", "the balance identity fails"),
        Finding("format.note", "warning", (), "格式提示", "format remark"),
    ]
    return report


def test_rendering_with_labels_and_exit_1(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("gknb.pipeline.read", fake_report)
    result = invoke("check", "a.txt", "b.txt")
    assert result.exit_code == 1
    assert result.stdout.count("测试镇人民政府") == 2
    assert "一、本年新收政府信息公开申请数量 · 总计" in result.stdout  # the cell as printed in the format
    assert "勾稽关系不成立" in result.stdout
    assert "共 2 个文件：2 个有错误" in result.stdout
    english = invoke("check", "--lang", "en", "a.txt")
    assert "the balance identity fails" in english.stdout and "requests.new.total" in english.stdout
    assert invoke("parse", "a.txt").exit_code == 0


def test_cell_labels_name_rows_and_tables_compactly():
    fmt = FORMATS["2021"]
    row = [f"requests.new.{c.key}" for c in fmt.table("requests").blocks[0].columns]
    assert cell_labels(fmt, row, "zh") == "一、本年新收政府信息公开申请数量 · 整行"
    assert cell_labels(fmt, row, "en") == "requests.new.*"
    pair = ["requests.new.total", "requests.new.natural_person"]
    assert cell_labels(fmt, pair, "zh") == "一、本年新收政府信息公开申请数量 · 总计、自然人"
    assert cell_labels(fmt, pair, "en") == "requests.new.{total,natural_person}"
    review = [k for k in fmt.cell_keys() if k.startswith("review.")]
    assert cell_labels(fmt, review, "en") == "review.*"
    assert cell_labels(fmt, review, "zh").endswith("整张表")
    many = [f"requests.{r.key}.total" for r in fmt.table("requests").blocks[0].rows]
    assert cell_labels(fmt, many, "zh").splitlines()[-1] == f"…等共 {len(many)} 个单元格"
    assert cell_labels(None, ["meta.year"], "zh") == "meta.year"


def test_internal_error_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch):
    def broken(path: str, **_options: object) -> Report:
        raise ValueError("boom")

    monkeypatch.setattr("gknb.pipeline.read", broken)
    monkeypatch.delenv("GKNB_DEBUG", raising=False)
    result, entries = as_json("check", "a.txt", "b.txt")
    assert result.exit_code == 2
    assert [e["error"]["code"] for e in entries] == ["internal", "internal"]
    assert "Traceback" not in result.output
    # the kind of failure, never its text (which may hold paths, SQL or data)
    assert all("ValueError" in e["error"]["message_en"] and "boom" not in e["error"]["message"] + e["error"]["message_en"]
               for e in entries)


def test_json_and_jsonl_are_exclusive():
    assert invoke("check", "--json", "--jsonl", "a.txt").exit_code == 2


@pytest.mark.parametrize("target", ["run", "test"])
def test_make_says_what_it_is_doing_before_the_long_install(target: str, tmp_path: Path):
    steps = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=Path(__file__).parents[1],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    install = next(i for i, line in enumerate(steps) if "pip install" in line)
    assert steps[install - 1].startswith("echo") and "installing" in steps[install - 1], steps
    assert any(line.startswith("echo") and "virtual environment" in line for line in steps[:install])


def test_piped_output_keeps_its_heading_rule_short():
    """``gknb check x > file``: the heading rule over each file is a short line, not one as wide as the
    unbounded piped console (10,000 dashes); the messages stay one line each."""
    done = subprocess.run([sys.executable, "-m", "gknb", "check", str(SAMPLES[0])], capture_output=True, text=True,
                          timeout=120)
    first = done.stdout.splitlines()[0]
    assert first.startswith(str(SAMPLES[0])) and "─" in first
    assert len(first) <= 100
