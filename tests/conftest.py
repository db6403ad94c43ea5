"""Shared paths, the ground-truth cases of the real reports, the hypothesis profiles, and how the
tests are shared out between pytest-xdist's worker processes.

Hypothesis profiles: ``dev`` (default) and ``ci`` (fewer examples, derandomized), chosen by the
``HYPOTHESIS_PROFILE`` environment variable, else ``ci`` when ``CI`` is set.

Workers (pytest-xdist ``-n auto``, pyproject's addopts): each test module runs whole in one worker
(its module fixtures are made once), the modules that share a session's made files in the same one
(``SHARED_WORK``), so those files are made once too, and the longest groups are handed out first
(``LONGEST``); the real converters' outputs are kept in pytest's cache by their input (tests/convcache.py),
shared by all workers. ``-n 0`` runs everything in one process.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import convcache
import gknb

pytest_plugins = ["storehelp"]  # store fixtures: db_url, postgres_server

TESTS = Path(__file__).parent
SAMPLES = Path(gknb.__file__).parent / "samples"
CORPUS = TESTS / "corpus"
EXPECTED = TESTS / "expected"


def shared_dir() -> Path | None:
    """The project's shared resources (spec, corpus of real reports): ``$GKNB_SHARED``, else the
    first ``shared/`` beside the clone or one of its parents (CI keeps a copy at ``../shared``)."""
    if os.environ.get("GKNB_SHARED"):
        return Path(os.environ["GKNB_SHARED"])
    for parent in TESTS.resolve().parents:
        if (parent / "shared" / "corpus" / "real").is_dir():
            return parent / "shared"
    return None

settings.register_profile(
    "dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", max_examples=5, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@dataclass(frozen=True)
class TruthCase:
    """One real report and its hand-made truth (tests/expected/<name>.json)."""

    name: str
    source: Path
    template: str
    year: int | None
    agency: str | None
    cells: dict[str, Any]  # key -> int | Decimal | None


def source_of(name: str) -> Path:
    """The real file a truth file is about: a bundled sample or a corpus fragment."""
    for folder in (SAMPLES, CORPUS):
        path = folder / f"{name}.txt"
        if path.exists():
            return path
    raise FileNotFoundError(f"no sample or corpus file for tests/expected/{name}.json")


@cache
def truth_cases() -> tuple[TruthCase, ...]:
    cases = []
    for path in sorted(EXPECTED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        cases.append(TruthCase(path.stem, source_of(path.stem), data["template"], data["year"],
                               data.get("agency"), data["cells"]))
    return tuple(cases)


@cache
def read_cached(path: Path):
    """``gknb.read(path)`` once per session (several tests look at the same parsed report)."""
    return gknb.read(path)


# Modules that share files made once per session (in one worker's temporary folder or cache); the
# converters' outputs are shared between workers by tests/convcache.py instead.
SHARED_WORK = {"test_ocr": "pdf-cases", "test_pdf": "pdf-cases"}  # pdf_fixtures.pdf_cases(): LibreOffice PDFs and scans
# The groups that take longest, started first (a long group started last would end the run alone), in
# the order of their time in the suite (--durations, setup and calls, on two cores): the rest follow,
# the most tests first (pytest-xdist's own order).
LONGEST = ("test_converters", "pdf-cases", "test_fuzz", "test_stream", "test_render", "test_web_e2e",
           "test_pdf_producers", "test_workspace", "test_columns", "test_store_bulk", "test_labelruns", "test_workbook")


def _scope(nodeid: str) -> str:
    """The group a test is sent to a worker in: its module, or its ``SHARED_WORK`` group."""
    module = nodeid.split("::", 1)[0]
    return SHARED_WORK.get(Path(module).stem, module)


def pytest_configure(config: pytest.Config) -> None:
    """The real converters' outputs kept in pytest's cache, by input (tests/convcache.py)."""
    if getattr(config, "cache", None) is not None:
        convcache.DIR = config.cache.mkdir("gknb-conversions")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a pytest-xdist worker: the groups in the order they are to be handed out (``LONGEST`` first)."""
    if not hasattr(config, "workerinput"):
        return
    sizes: dict[str, int] = {}
    for item in items:
        sizes[_scope(item.nodeid)] = sizes.get(_scope(item.nodeid), 0) + 1

    def rank(scope: str) -> tuple[int, int]:
        name = Path(scope).stem if scope.endswith(".py") else scope
        return (LONGEST.index(name), 0) if name in LONGEST else (len(LONGEST), -sizes[scope])

    items.sort(key=lambda item: rank(_scope(item.nodeid)))


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: absent without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Tests shared out by module (a module's tests in one worker, its module fixtures made once), the
    ``SHARED_WORK`` modules together, in the workers' order (``pytest_collection_modifyitems``)."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    config.option.loadscopereorder = False
    return SharedWorkScheduling(config, log)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "truth_case" in metafunc.fixturenames:
        cases = truth_cases()
        metafunc.parametrize("truth_case", cases, ids=[c.name for c in cases])
    if "titled_case" in metafunc.fixturenames:  # only the cases whose title names the agency
        cases = tuple(c for c in truth_cases() if c.agency is not None)
        metafunc.parametrize("titled_case", cases, ids=[c.name for c in cases])


@pytest.fixture
def parsed(truth_case: TruthCase):
    """The report gknb reads from the truth case's file."""
    return read_cached(truth_case.source)


@pytest.fixture(scope="session")
def read_report():
    """``read_report(path)``: ``gknb.read(path)``, cached for the session."""
    return read_cached


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def seed_000() -> Path:
    return SAMPLES / "000_a5586f6eb40696d9.txt"
