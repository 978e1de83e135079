"""Cases parsed the way the product parses files: in supervised worker processes.

A case is one mutated file. It is written under a scratch raw folder and handed, as a one-file chunk,
to the supervisor of `pipelines.ingest.workers` (the one `make run` uses): each file under a time
limit and a memory ceiling, the worker killed and replaced when it overruns either. Inside the
worker `parse_chunk` runs as in production, with three additions that only observe:

* the address space is capped (RLIMIT_AS, under the product's own cap where its worker sets one):
  an allocation of gigabytes fails at once, where it is made, instead of paging the machine;
* when the parser crashes, the place is noted — the innermost frame under `pipelines/` — so that
  crashes can be told apart, deduplicated and matched against the open-crash list;
* a little before the time limit, the worker's stack is dumped (faulthandler), so that a hang has a
  place too.

A crash outside `_parse`'s own guard (building the cells' frames), which would kill a production
worker (`parser_crash`, "the parser process died"), is caught and reported as the same code with its
place.
"""

from __future__ import annotations

import dataclasses
import faulthandler
import functools
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.parse import DEFAULT_MAX_BYTES, FileRef, ParseOutcome, parse_chunk
from pipelines.ingest.workers import Limits, _Supervisor

# A case's time limit: FUZZ_CASE_SECONDS for text, HTML and .docx (they parse in well under a second),
# longer for PDFs and for legacy files (LibreOffice converts them first).
CASE_SECONDS = float(os.environ.get("FUZZ_CASE_SECONDS", "10"))
KIND_FACTOR = {".pdf": 3.0, ".doc": 9.0}
MEMORY_MB = int(os.environ.get("FUZZ_MEMORY_MB", "2048"))
_WHERE = "\n@where: "
_MEMORY = "Parsing needed more"  # how the product words a memory overrun, whichever guard stopped it
_STACK_SHARE = 0.8  # the stack is dumped at this share of the time limit


def case_seconds(ext: str, base: float = CASE_SECONDS) -> float:
    return base * KIND_FACTOR.get(ext, 1.0)


# ---------------------------------------------------------------------------------------------------------------
# In the worker process


_CRASH_SITE: list[str] = []


def _where(path: str) -> str:
    path = path.replace(os.sep, "/")
    if "/pipelines/" in path:
        return "pipelines/" + path.rsplit("/pipelines/", 1)[1]
    if "site-packages/" in path:
        return path.rsplit("site-packages/", 1)[1]
    return path


def _site(exc: BaseException) -> str:
    """`path:function:line` of the innermost frame under pipelines/ (or of the innermost frame at all).
    Walks the traceback itself, allocating next to nothing: after a MemoryError there is little to spare."""
    try:
        tb, last, ours = exc.__traceback__, None, None
        while tb is not None:
            last = tb
            if "/pipelines/" in tb.tb_frame.f_code.co_filename.replace(os.sep, "/"):
                ours = tb
            tb = tb.tb_next
        tb = ours or last
        if tb is None:
            return "?:?:0"
        return f"{_where(tb.tb_frame.f_code.co_filename)}:{tb.tb_frame.f_code.co_name}:{tb.tb_lineno}"
    except MemoryError:
        return "?:?:0"


def _noting_crashes(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            from pipelines.readers import ReadError

            if not isinstance(exc, ReadError):
                _CRASH_SITE.append(f"{type(exc).__name__}@{_site(exc)}")
            raise

    wrapper.__fuzz_wrapped__ = True  # type: ignore[attr-defined]
    return wrapper


# The steps `_parse` calls by module-global name: wrapped (once per worker) to note where a crash happens.
_STEPS = ("read_document", "extract", "interpret", "looks_like_report", "split_sections", "extract_claims",
          "_read_sidecar")
_prepared = False


def _prepare(memory_mb: int, scratch: Path) -> None:
    global _prepared
    if _prepared:
        return
    _prepared = True
    # What libraries print about damaged files (pdfminer's warnings, a Rust panic's backtrace) goes to a
    # log beside the cases, not over the fuzzer's report.
    with (scratch / "worker-stderr.log").open("ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        import resource

        # Below the product's own limit (if its worker set one) and below the supervisor's resident-size
        # ceiling: the kernel stops a blow-up first, as a MemoryError in the code that allocates, which
        # gives the failure a place (the supervisor's kill gives none).
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open(f"/proc/{os.getpid()}/statm", "rb") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = size + int(memory_mb * 0.75) * 2**20
        for limit in (soft, hard):
            if limit != resource.RLIM_INFINITY:
                cap = min(cap, limit)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: the supervisor's resident-memory ceiling still holds
    for noisy in ("pdfminer", "pypdf", "pdfplumber"):  # damaged files make them chatty on stderr
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    import pipelines.ingest.parse as parse

    for name in _STEPS:
        fn = getattr(parse, name, None)
        if fn is not None and not getattr(fn, "__fuzz_wrapped__", False):
            setattr(parse, name, _noting_crashes(fn))


def stack_path(raw_dir: Path, rel: str) -> Path:
    return raw_dir.parent / "stacks" / (rel + ".stack")


def fuzz_chunk(raw_dir: Path, refs: list[FileRef], max_bytes: int = DEFAULT_MAX_BYTES,
               on_file: Callable[[int], None] | None = None, memory_mb: int = MEMORY_MB,
               base_seconds: float = CASE_SECONDS) -> list[ParseOutcome]:
    """parse_chunk, one file at a time, noting where a crash happened (and where a hang was)."""
    _prepare(memory_mb, raw_dir.parent)
    outcomes = []
    for i, ref in enumerate(refs):
        if on_file is not None:
            on_file(i)
        _CRASH_SITE.clear()
        stack = stack_path(raw_dir, ref.path)
        stack.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        dump_after = case_seconds(Path(ref.path).suffix, base_seconds) * _STACK_SHARE
        with stack.open("w") as fh:
            faulthandler.dump_traceback_later(dump_after, file=fh)
            try:
                out = parse_chunk(raw_dir, [ref], max_bytes)[0]
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # outside _parse's guard (or a Rust panic): a production worker dies here
                out = ParseOutcome(ref, error_code="parser_crash", error_message=(
                    f"The parser process died on this file ({type(exc).__name__}: {str(exc)[:300]})"))
                _CRASH_SITE.append(f"{type(exc).__name__}@{_site(exc)}")
            finally:
                faulthandler.cancel_dump_traceback_later()
        took = time.perf_counter() - started
        if took < dump_after:  # (a slow case keeps its stack: the parent reads where it spent its time)
            stack.unlink(missing_ok=True)
        where = _CRASH_SITE[-1] if out.error_code in ("parser_crash", "too_large") and _CRASH_SITE else ""
        out.error_message = (out.error_message or "") + _WHERE + f"{took:.3f} {where}"
        out.facts = {}  # the cells are not needed back: keep the pipe light
        outcomes.append(out)
    return outcomes


# ---------------------------------------------------------------------------------------------------------------
# In the parent


@dataclass(frozen=True)
class Verdict:
    """What became of one case."""

    name: str
    seconds: float
    code: str | None  # None: a report
    message: str | None
    source_format: str
    site: str | None = None  # `Type@path:function:line` for a crash, `hang@…` for a hang
    limit: float = float("inf")  # the case's time limit (a batch may run under a longer one)

    @property
    def failure(self) -> str | None:
        """'crash', 'hang' or 'memory' when the case breaks the property; None when it holds."""
        if self.code == "parser_crash":
            return "memory" if self.site and self.site.startswith("MemoryError@") else "crash"
        if self.code == "timeout" and self.message and self.message.startswith("Parsing took longer"):
            return "hang"
        if self.code == "too_large" and self.message and self.message.startswith(_MEMORY):
            # the supervisor's kill, or (with the kernel's limit) a MemoryError the parser turned into a code
            return "memory"
        if self.seconds > self.limit:
            return "hang"  # finished, but past its own limit
        return None

    @property
    def signature(self) -> str | None:
        """The failure without a line number (lines move as files are edited): `Type@path:function`,
        `hang@path:function`, `memory@path:function` (`@?` where no place is known)."""
        if self.failure is None:
            return None
        site = self.site.split("@", 1)[1] if self.site else "?"
        site = re.sub(r":\d+$", "", site)
        kind = self.site.split("@", 1)[0] if self.failure == "crash" and self.site else self.failure
        return f"{kind}@{site}"

    def describe(self) -> str:
        where = f" at {self.site}" if self.site else ""
        return f"{self.name}: {self.failure or 'ok'} ({self.code}{where}) {self.message or ''}".strip()


_STACK_FRAME = re.compile(r'File "([^"]+)", line (\d+) in (\S+)')


def _hang_site(stack: str) -> str | None:
    """The innermost frame under pipelines/ of a faulthandler dump (most recent call first)."""
    for path, line, name in _STACK_FRAME.findall(stack):
        if "/pipelines/" in path.replace(os.sep, "/"):
            return f"hang@{_where(path)}:{name}:{line}"
    return None


class Runner:
    """A supervised pool of parser workers, kept for many cases (a worker starts in about a second)."""

    def __init__(self, workers: int = 1, case_seconds: float = CASE_SECONDS, memory_mb: int = MEMORY_MB,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="disclosure-fuzz-"))
        self.raw = self.scratch / "raw"
        self.raw.mkdir()
        self.base_seconds, self.memory_mb = case_seconds, memory_mb
        work = functools.partial(fuzz_chunk, memory_mb=memory_mb, base_seconds=case_seconds)
        self.supervisor = _Supervisor(self.raw, max(1, workers), self._limits(case_seconds), max_bytes, work)
        self.next_id = 0

    def _limits(self, seconds: float) -> Limits:
        # The same time for every file: a fuzzed PDF that turns slow is a finding, OCR or not.
        return Limits(seconds_per_file=seconds, memory_bytes=self.memory_mb * 2**20, ocr_seconds_per_file=seconds)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.supervisor.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def run(self, cases: list[tuple[str, bytes, str]]) -> list[Verdict]:
        """Given (name, bytes, extension) cases, parse them all (in parallel over the workers) and return
        their verdicts in order. The batch runs under the longest time limit of its cases' kinds."""
        pending: dict[int, tuple[str, float]] = {}
        seconds = max((case_seconds(ext, self.base_seconds) for _, _, ext in cases), default=self.base_seconds)
        self.supervisor.limits = self._limits(seconds)
        for name, data, ext in cases:
            cid = self.next_id
            self.next_id += 1
            rel = f"case{cid:08d}{ext}"
            (self.raw / rel).write_bytes(data)
            ref = FileRef(rel, hashlib.sha256(data).hexdigest(), len(data), 0)
            self.supervisor.queue.append((cid, [ref]))
            pending[cid] = (name, time.monotonic())
        verdicts: dict[int, Verdict] = {}
        while len(verdicts) < len(pending):
            self.supervisor.dispatch()
            self.supervisor.poll()
            for cid in [c for c in pending if c in self.supervisor.done and c not in verdicts]:
                out = self.supervisor.done.pop(cid)[0]
                name, started = pending[cid]
                verdict = _verdict(name, time.monotonic() - started, out,
                                   case_seconds(Path(out.ref.path).suffix, self.base_seconds))
                stack = stack_path(self.raw, out.ref.path)
                if verdict.failure == "hang" and not verdict.site and stack.is_file():
                    verdict = dataclasses.replace(verdict, site=_hang_site(stack.read_text(errors="replace")))
                stack.unlink(missing_ok=True)
                (self.raw / out.ref.path).unlink(missing_ok=True)
                verdicts[cid] = verdict
        return [verdicts[c] for c in pending]

    def run_one(self, name: str, data: bytes, ext: str) -> Verdict:
        return self.run([(name, data, ext)])[0]


def _verdict(name: str, seconds: float, out: ParseOutcome, limit: float) -> Verdict:
    """The verdict of an outcome: the worker appended the parse's seconds and a crash's site to the message
    (a case the supervisor stopped has neither: its seconds are the parent's count)."""
    message, site = out.error_message, None
    if message and _WHERE in message:
        message, noted = message.split(_WHERE, 1)
        took, _, site = noted.partition(" ")
        seconds = float(took)
    return Verdict(name, seconds, out.error_code, message or None, out.source_format, site or None, limit)


if __name__ == "__main__":  # pragma: no cover - `python -m tools.fuzz.runner FILE…`: one verdict per file
    with Runner() as runner:
        for arg in sys.argv[1:]:
            p = Path(arg)
            print(runner.run_one(p.name, p.read_bytes(), p.suffix).describe())
