"""Fuzz ``gknb.read`` (and bulk ingest for zips) with mutated reports of every medium.

    python fuzz/fuzz_read.py                      # the default run (about 13 000 cases)
    python fuzz/fuzz_read.py --scale 0.05         # a smoke run
    python fuzz/fuzz_read.py --media text,html --cases 500 --seed 7

Each case is read in a worker process of ``gknb.workers`` under a per-case time limit, so a hang
is stopped and counted, and a crash in C code kills only that worker. Outcomes: ``parsed``,
``error:<code>`` (a GknbError with a code and non-empty Chinese and English messages), ``crash:<what>``
(any other exception, a GknbError without proper messages, a report that cannot be written as JSON,
or a worker that died) and ``timeout``. Crashing and timed-out inputs are saved in ``--out``; the
summary (counts per medium and outcome, times, crashes) goes to stdout and ``--out/summary.json``.
Cases are deterministic: case ``i`` of a medium depends only on ``--seed``, the medium and ``i``.
See docs/fuzzing.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mutators as mut  # noqa: E402
import seeds as seedlib  # noqa: E402

import gknb  # noqa: E402
from gknb.errors import GknbError, InternalError, TimedOut  # noqa: E402
from gknb.workers import DEFAULT_TIMEOUT, Workers  # noqa: E402

# cases per medium in the default run (× --scale), and each case's time limit in seconds
CASES = {"text": 8000, "markdown": 1500, "html": 2000, "docx": 1500, "ofd": 1000, "pdf": 600, "zip": 500,
         "image": 80, "doc": 40}
# a damaged PDF page (also in a zip) may be read by OCR: the product's limit; .doc: over LibreOffice's 120 s
LIMITS = {"pdf": DEFAULT_TIMEOUT, "image": DEFAULT_TIMEOUT, "zip": DEFAULT_TIMEOUT, "doc": 150.0}
DEFAULT_LIMIT = 30.0
ENCODINGS = (("utf-8", 45), ("gb18030", 15), ("gbk", 10), ("utf-8-sig", 7), ("big5", 7), ("utf-16", 6),
             ("utf-32", 3), ("utf-16-le", 2), ("hz", 2), ("cp1252", 3))
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------


def _encode(text: str, rnd: random.Random) -> tuple[bytes, str]:
    encoding = rnd.choices([e for e, _w in ENCODINGS], [w for _e, w in ENCODINGS])[0]
    if encoding == "big5":
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    return text.encode(encoding, errors="replace"), encoding


def make_case(medium: str, index: int, seeds: dict[str, list[bytes]], base: int) -> tuple[str, bytes]:
    """Case ``index`` of ``medium``: a file name and the mutated bytes, the same for the same ``base``."""
    return mutate(medium, random.Random(f"{base}:{medium}:{index}"), seeds)


def mutate(medium: str, rnd: random.Random, seeds: dict[str, list[bytes]]) -> tuple[str, bytes]:
    """A mutated input of ``medium`` drawn with ``rnd``: a file name and the bytes."""
    if medium == "zip":
        return "case.zip", _zip_case(rnd, seeds)
    pool = seeds[medium]
    seed = rnd.choice(pool)
    if medium in ("text", "markdown"):
        texts = [s.decode("utf-8") for s in pool]
        data, _encoding = _encode(mut.mutate_text(seed.decode("utf-8"), rnd, texts), rnd)
        if rnd.random() < 0.1:
            data = mut.mutate_bytes(data, rnd)
        suffix = ".md" if medium == "markdown" else rnd.choice((".txt", ".txt", ".txt", "", ".TXT", ".htm"))
        return f"case{suffix}", data
    if medium == "html":
        text = seed.decode("utf-8")
        r = rnd.random()
        if r < 0.65:
            for _ in range(rnd.choice((1, 1, 2, 3))):
                text = mut.html_edit(text, rnd)
        elif r < 0.9:
            text = mut.mutate_text(text, rnd)
        data = text.encode(rnd.choice(("utf-8", "utf-8", "gb18030")), errors="replace")
        if r >= 0.9:
            data = mut.mutate_bytes(data, rnd, pool)
        return "case" + rnd.choice((".html", ".html", ".htm", "", ".txt")), data
    if medium in ("docx", "ofd"):
        return "case" + rnd.choice((f".{medium}",) * 4 + ("", ".zip")), mut.mutate_package(seed, rnd, pool)
    if medium == "pdf":
        return "case" + rnd.choice((".pdf", ".pdf", "", ".txt")), mut.mutate_pdf(seed, rnd, pool)
    if medium == "image":
        data, suffix = mut.mutate_image(seed, rnd, pool)
        return "case" + suffix, data
    if medium == "doc":
        return "case" + rnd.choice((".doc", ".wps")), mut.mutate_bytes(seed, rnd)
    raise ValueError(medium)


def _zip_case(rnd: random.Random, seeds: dict[str, list[bytes]]) -> bytes:
    """A zip of a few (sometimes mutated) reports of several media, then sometimes broken as a zip."""
    members = []
    for _ in range(rnd.choice((1, 2, 3, 5))):
        medium = rnd.choice([m for m in ("text", "html", "docx", "ofd", "pdf") if seeds.get(m)])
        data = rnd.choice(seeds[medium])
        if rnd.random() < 0.5:
            data = mutate(medium, rnd, seeds)[1]
        suffix = {"text": ".txt", "html": ".html"}.get(medium, f".{medium}")
        name = rnd.choice(("2021/报告", "a", "__MACOSX/._x", ".hidden/x", "深/层/目/录/x", "x" * 200, "../up",
                           "dir/")) + f"{len(members)}{suffix}"
        members.append((name, data))
    if rnd.random() < 0.1:
        members.append(("inner.zip", mut.write_zip(members[:1], rnd)))
    data = mut.write_zip(members, rnd)
    r = rnd.random()
    if r < 0.3:
        data = mut.zip_headers(data, rnd)
    elif r < 0.45:
        data = mut.mutate_bytes(data, rnd)
    return data


# --------------------------------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------------------------------


def unclear(error: GknbError) -> str | None:
    """Why a GknbError is not a clear error (None when it is)."""
    if not isinstance(error.code, str) or not error.code or error.code == "error":
        return f"no code: {error.code!r}"
    if not isinstance(error.message, str) or not _CJK.search(error.message):
        return f"no Chinese message: {error.message!r}"
    if not isinstance(error.message_en, str) or not _LATIN.search(error.message_en):
        return f"no English message: {error.message_en!r}"
    return None


def _crash(exc: BaseException) -> tuple[str, str]:
    return f"crash:{type(exc).__name__}", "".join(traceback.format_exception(exc))[-4000:]


def read_case(name: str, data: bytes) -> tuple[str, str]:
    """``gknb.read`` of one input, classified: (outcome, detail)."""
    try:
        report = gknb.read(data, name=name)
        json.dumps(report.as_dict(), ensure_ascii=False).encode("utf-8")  # what ``gknb check --json`` writes
    except GknbError as error:
        reason = unclear(error)
        return (f"crash:unclear:{error.code}", reason) if reason else (f"error:{error.code}", "")
    except Exception as exc:
        return _crash(exc)
    return "parsed", ""


_STORE: list[Any] = []


class _InProcess:
    """Stands in for ``gknb.workers.Workers`` inside ``ingest``: this harness worker is already isolated."""

    def __init__(self, fn: Any, **_options: Any):
        self.fn = fn

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass

    def run(self, tasks: Any) -> Any:
        for key, args in tasks:
            yield key, self.fn(*args)


def ingest_case(data: bytes) -> list[tuple[str, str]]:
    """Bulk ingest of one zip into a scratch SQLite store: one outcome per member (``internal``: a crash)."""
    from gknb.pipeline import bulk
    from gknb.store import Store

    bulk.Workers = _InProcess  # type: ignore[misc, assignment]
    if not _STORE:
        folder = Path(tempfile.mkdtemp(prefix="gknb-fuzz-store-"))
        _STORE.extend((Store.open(str(folder / "fuzz.db")), folder))
    store, folder = _STORE
    path = folder / "case.zip"
    path.write_bytes(data)
    try:
        summary = bulk.ingest(store, [str(path)], jobs=1)
    except Exception as exc:
        return [_crash(exc)]
    outcomes = []
    for result in summary.results:
        if result.status != "failed":
            outcomes.append(("parsed", ""))
            continue
        error = result.error or {}
        code = error.get("code", "")
        if code == "internal" or not _CJK.search(error.get("message", "")) or not error.get("message_en"):
            outcomes.append((f"crash:ingest:{code}", json.dumps(error, ensure_ascii=False)))
        else:
            outcomes.append((f"error:{code}", ""))
    return outcomes or [("empty", "")]  # no member to read (all hidden, or directories)


def run_case(medium: str, name: str, data: bytes) -> dict[str, Any]:
    """Worker: one case; its outcomes (one per zip member for zips) and its time."""
    _limit_memory()
    start = time.perf_counter()
    outcomes = ingest_case(data) if medium == "zip" else [read_case(name, data)]
    return {"outcomes": outcomes, "seconds": time.perf_counter() - start}


def _limit_memory() -> None:
    """8 GB of address space per worker: a runaway allocation is a MemoryError (a crash), not the OOM killer."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, resource.RLIM_INFINITY))


# --------------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------------


def fuzz_medium(medium: str, count: int, seeds: dict[str, list[bytes]], base: int, jobs: int, limit: float,
                out: Path, progress: bool) -> dict[str, Any]:
    """Run ``count`` cases of ``medium``; their tally."""
    cases: Counter[str] = Counter()
    members: Counter[str] = Counter()
    crashes: dict[str, dict[str, Any]] = {}
    times: list[tuple[float, int]] = []
    started = time.monotonic()

    def tasks() -> Any:
        for index in range(count):
            name, data = make_case(medium, index, seeds, base)
            yield (index, name, data), (medium, name, data)

    with Workers(run_case, jobs=jobs, timeout=limit) as workers:
        for done, ((index, name, data), result) in enumerate(workers.run(tasks()), 1):
            if isinstance(result, TimedOut):
                outcomes, seconds = [("timeout", f"over {limit:g} s")], limit
            elif isinstance(result, InternalError):
                outcomes, seconds = [("crash:died", result.message_en)], 0.0
            else:
                outcomes, seconds = result["outcomes"], result["seconds"]
            times.append((seconds, index))
            for outcome, _detail in outcomes:
                members[outcome] += 1
            worst = next((o for o in outcomes if o[0].startswith(("crash", "timeout"))), outcomes[0])
            cases[worst[0] if worst[0].startswith(("crash", "timeout")) else _case_label(outcomes)] += 1
            if worst[0].startswith(("crash", "timeout")):
                saved = out / "inputs" / f"{medium}-{index:05d}-{Path(name).name}"
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_bytes(data)
                entry = crashes.setdefault(_signature(*worst), {"outcome": worst[0], "count": 0, "cases": [],
                                                                 "detail": worst[1]})
                entry["count"] += 1
                if len(entry["cases"]) < 10:
                    entry["cases"].append(str(saved))
            if progress and done % 500 == 0:
                print(f"  {medium}: {done}/{count} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    times.sort(reverse=True)
    durations = sorted(t for t, _i in times)
    return {
        "cases": count,
        "outcomes": dict(cases.most_common()),
        "members": dict(members.most_common()) if medium == "zip" else None,
        "crashes": list(crashes.values()),
        "seconds": round(time.monotonic() - started, 1),
        "median_case_seconds": round(durations[len(durations) // 2], 3) if durations else None,
        "slowest": [{"case": i, "seconds": round(t, 2)} for t, i in times[:5]],
        "time_limit": limit,
    }


def _case_label(outcomes: list[tuple[str, str]]) -> str:
    labels = sorted({o for o, _d in outcomes})
    return labels[0] if len(labels) == 1 else "mixed"


def _signature(outcome: str, detail: str) -> str:
    """Crashes with the same exception raised at the same place count as one."""
    frames = re.findall(r'File "([^"]+)", line (\d+)', detail)
    where = next((f"{Path(f).name}:{n}" for f, n in reversed(frames) if "/gknb/" in f), "")
    return f"{outcome}@{where}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--media", default=",".join(CASES), help="comma-separated media (default: all)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default case counts")
    parser.add_argument("--cases", type=int, help="cases per medium (overrides the defaults and --scale)")
    parser.add_argument("--seed", type=int, default=0, help="base seed: the same seed gives the same cases")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--time-limit", type=float, help=f"seconds per case (default {DEFAULT_LIMIT:g}; pdf, "
                                                          f"image and zip {DEFAULT_TIMEOUT:g}; doc 150)")
    parser.add_argument("--seeds", type=Path, default=HERE / ".seeds", help="seed cache folder")
    parser.add_argument("--full-seeds", action="store_true", help="also the LibreOffice PDF exports of the tests")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="summary.json and crashing inputs")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    media = [m.strip() for m in args.media.split(",") if m.strip()]
    unknown = set(media) - set(CASES)
    if unknown:
        parser.error(f"unknown media: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, list[bytes]] = {}
    needed = set(media) | ({"text", "html", "docx", "ofd", "pdf"} if "zip" in media else set())
    for medium in sorted(needed - {"zip"}):
        seeds[medium] = seedlib.build(medium, args.seeds, full=args.full_seeds)
    summary: dict[str, Any] = {"seed": args.seed, "media": {}}
    started = time.monotonic()
    for medium in media:
        if medium != "zip" and not seeds.get(medium):
            print(f"{medium}: skipped (no seeds: LibreOffice missing?)", file=sys.stderr)
            continue
        count = args.cases if args.cases is not None else max(1, round(CASES[medium] * args.scale))
        limit = args.time_limit or LIMITS.get(medium, DEFAULT_LIMIT)
        if not args.quiet:
            print(f"{medium}: {count} cases, {len(seeds.get(medium, []))} seeds, {limit:g} s each", file=sys.stderr)
        summary["media"][medium] = fuzz_medium(medium, count, seeds, args.seed, args.jobs, limit, args.out,
                                               not args.quiet)
        (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["total_cases"] = sum(m["cases"] for m in summary["media"].values())
    summary["crashes"] = sum(sum(v for k, v in m["outcomes"].items() if k.startswith("crash"))
                             for m in summary["media"].values())
    summary["timeouts"] = sum(m["outcomes"].get("timeout", 0) for m in summary["media"].values())
    (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    _print(summary)
    return 1 if summary["crashes"] or summary["timeouts"] else 0


def _print(summary: dict[str, Any]) -> None:
    print(f"{'medium':<10}{'cases':>7}  {'median s':>8}  {'max s':>7}  outcomes")
    for medium, m in summary["media"].items():
        slowest = m["slowest"][0]["seconds"] if m["slowest"] else 0
        outcomes = ", ".join(f"{k} {v}" for k, v in m["outcomes"].items())
        print(f"{medium:<10}{m['cases']:>7}  {m['median_case_seconds'] or 0:>8.3f}  {slowest:>7.2f}  {outcomes}")
        if m["members"]:
            print(f"{'':<10}{'':>7}  {'':>8}  {'':>7}  members: " + ", ".join(f"{k} {v}" for k, v in m["members"].items()))
        for crash in m["crashes"]:
            print(f"    {crash['outcome']} ×{crash['count']}: {crash['cases'][0]}")
            print("      " + crash["detail"].strip().splitlines()[-1][:200] if crash["detail"].strip() else "")
    print(f"total: {summary['total_cases']} cases in {summary['seconds']:.0f} s; "
          f"crashes {summary['crashes']}, timeouts {summary['timeouts']}")


if __name__ == "__main__":
    raise SystemExit(main())
