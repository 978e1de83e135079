"""Parse files in long-lived worker processes, each file under a time limit and a memory ceiling.

The memory ceiling is the kernel's (RLIMIT_AS, set in each worker: an allocation past it fails at
once); the supervisor also polls each worker's resident size, a second guard for memory the address
space limit does not see the same way.

A process per file would cost the throughput of issue #4, and a plain process pool dies with its
first crashed worker. Here a supervisor hands chunks of files to a fixed set of spawned workers;
each worker says which file it is starting, so when one overruns the time limit or the memory
ceiling (it is killed) or dies on its own (a crash in C code, the kernel's OOM killer), the file it
was reading is quarantined with a stable code, the worker is replaced and the rest of its chunk is
handed out again. Results come back in the order the chunks went in, so a run's outcome does not
depend on scheduling.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pipelines.ingest.parse import DEFAULT_MAX_BYTES, FileRef, ParseOutcome, parse_chunk, warm_up

DEFAULT_FILE_SECONDS = 120.0
# Files that may be read by OCR, and how long one may take (about 4 s a page per core at 300 dpi: a
# 100-page scan, or a slow machine, still fits).
OCR_SUFFIXES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"})
DEFAULT_OCR_FILE_SECONDS = 600.0
# Two workers and the loader on a 24 GB machine: 4 GB each leaves room for the loader's DuckDB.
DEFAULT_WORKER_MEMORY_BYTES = 4 * 1024**3
POLL_SECONDS = 0.1
# A worker not ready (imported, warmed up, limited) after this long is stuck, not slow.
WARM_UP_SECONDS = 180.0
MAX_SILENT_DEATHS = 8
PREFETCH = 2
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Limits:
    """What one file may cost a worker before it is killed. A file that may need OCR (a PDF, whose pages
    may be scans, or an image) gets its own, longer time: OCR reads a page in seconds where text takes
    milliseconds, and a scanned report of twenty pages is a real report, not a hang."""

    seconds_per_file: float = DEFAULT_FILE_SECONDS
    memory_bytes: int = DEFAULT_WORKER_MEMORY_BYTES
    ocr_seconds_per_file: float = DEFAULT_OCR_FILE_SECONDS

    def seconds_for(self, path: str) -> float:
        if Path(path).suffix.lower() in OCR_SUFFIXES:
            return max(self.seconds_per_file, self.ocr_seconds_per_file)
        return self.seconds_per_file


# What a worker runs on a chunk: parse_chunk's signature (tests put a misbehaving parser in its place).
ChunkParser = Callable[..., list[ParseOutcome]]


def _address_space_bytes() -> int:
    """The process's address space now (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(memory_bytes: int) -> int | None:
    """Have the kernel hold this process to `memory_bytes` more than the address space it has now (the
    interpreter and the parsers' libraries): an allocation past it fails at once — a MemoryError in
    Python, a failed allocation in C — however fast it comes, where a poll of the resident size every
    0.1 s can be outrun. Returns the limit set (None where the platform has no RLIMIT_AS)."""
    try:
        import resource
    except ImportError:  # not a POSIX system: the supervisor's polling is the only guard
        return None
    limit = _address_space_bytes() + memory_bytes
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _worker_main(conn: Connection, raw_dir: Path, max_bytes: int, work: ChunkParser,
                 memory_bytes: int | None = None) -> None:
    """A worker: parse the chunks it is sent until told to stop, saying when each file starts."""
    if memory_bytes:
        warm_up()
        limit_memory(memory_bytes)
    conn.send(("ready", None, None))  # the clock of the first file starts now, not during the warm-up
    while True:
        job = conn.recv()
        if job is None:
            return
        chunk_id, refs = job
        try:
            outcomes = work(raw_dir, refs, max_bytes, on_file=lambda i, c=chunk_id: conn.send(("file", c, i)))
        except MemoryError:
            # Past the kernel's limit outside a file's own parse (which quarantines itself): the file it
            # said it started is to blame; a fresh worker takes the rest, its memory state untouched.
            conn.send(("memory", chunk_id, None))
            return
        conn.send(("done", chunk_id, outcomes))


def _rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


# Workers are spawned with one thread per library: the pool is the parallelism, and more threads than
# cores only contend. One malloc arena per thread reserves 64 MB of address space each, which the kernel
# memory limit (RLIMIT_AS) counts as if used: two arenas keep a worker's headroom for its files.
WORKER_ENVIRONMENT = {"POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENCV_FOR_THREADS_NUM": "1",
                      "MALLOC_ARENA_MAX": "2"}


# Workers are started from the consumer's thread and, to replace a dead one, from the supervisor's: one
# start at a time, so that the environment and the main module are always put back as they were.
_STARTING = threading.Lock()


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """WORKER_ENVIRONMENT for the workers started inside (a child copies the environment when it starts),
    and no main module for them to import: a spawned child runs the parent's `__main__` again before
    anything else, and under Dagster that is Dagster's command line (`import dagster._cli`: 0.8 s of CPU
    a worker, most of a small night's parse step). The workers' code is imported by name, so the `work`
    function and its arguments must live in an importable module, not in a script's `__main__`."""
    with _STARTING:
        before = {name: os.environ.get(name) for name in WORKER_ENVIRONMENT}
        had_main, main = "__main__" in sys.modules, sys.modules.get("__main__")
        os.environ.update(WORKER_ENVIRONMENT)
        sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to run again
        try:
            yield
        finally:
            if had_main:
                sys.modules["__main__"] = main
            else:
                sys.modules.pop("__main__", None)
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def quarantined(ref: FileRef, code: str, message: str) -> ParseOutcome:
    return ParseOutcome(ref, error_code=code, error_message=message)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    # Chunks sent and not yet returned, oldest (the one being parsed) first.
    assigned: deque[tuple[int, list[FileRef]]] = field(default_factory=deque)
    file_index: int = 0
    file_started: float = 0.0
    file_seen: bool = False  # the worker said it started a file of its oldest chunk
    kill_reason: tuple[str, str] | None = None
    ready: bool = False  # warmed up and limited: its files' time limits run from here
    started: float = field(default_factory=time.monotonic)


class _Supervisor:
    def __init__(self, raw_dir: Path, workers: int, limits: Limits, max_bytes: int, work: ChunkParser) -> None:
        self.raw_dir, self.limits, self.max_bytes, self.work = raw_dir, limits, max_bytes, work
        self.context = multiprocessing.get_context("spawn")  # forking copies polars' threads mid-state
        self.workers = [self._start() for _ in range(workers)]
        self.queue: deque[tuple[int, list[FileRef]]] = deque()
        self.done: dict[int, list[ParseOutcome]] = {}
        self.casualties: dict[int, list[ParseOutcome]] = {}
        self.silent_deaths = 0

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, daemon=True,
                                       args=(child, self.raw_dir, self.max_bytes, self.work, self.limits.memory_bytes))
        with _worker_environment():
            process.start()
        child.close()
        return _Worker(process, parent)

    def dispatch(self) -> None:
        """Keep every worker PREFETCH chunks deep, so it never waits for the supervisor between chunks."""
        for w in self.workers:
            while len(w.assigned) < PREFETCH and self.queue:
                job = self.queue.popleft()
                if not w.assigned:
                    w.file_index, w.file_started, w.file_seen, w.kill_reason = 0, time.monotonic(), False, None
                w.assigned.append(job)
                # A worker that is gone is buried (and its chunks handed out again) by the next poll.
                with contextlib.suppress(OSError):
                    w.conn.send(job)

    def _time_limit(self, w: _Worker) -> tuple[float, str]:
        """The time the worker's current file may take, and the setting that raises it."""
        chunk = w.assigned[0][1] if w.assigned else []
        path = chunk[w.file_index].path if w.file_index < len(chunk) else ""
        limit = self.limits.seconds_for(path)
        return limit, ("DISCLOSURE_OCR_TIMEOUT_S" if limit != self.limits.seconds_per_file
                       else "DISCLOSURE_FILE_TIMEOUT_S")

    def poll(self) -> None:
        """Wait a little for messages; enforce the limits; replace dead workers."""
        ready = wait([w.conn for w in self.workers] + [w.process.sentinel for w in self.workers], POLL_SECONDS)
        for w in list(self.workers):
            if w.conn in ready:
                self._receive(w)
        now = time.monotonic()
        for w in self.workers:
            if not w.ready and w.process.is_alive() and now - w.started > WARM_UP_SECONDS:
                w.process.kill()  # stuck before its first file: buried as a silent death below
                continue
            if not w.assigned or not w.process.is_alive() or not w.ready:
                continue
            limit, variable = self._time_limit(w)
            if now - w.file_started > limit:
                w.kill_reason = ("timeout", f"Parsing took longer than {limit:.0f}s and was "
                                 f"stopped; raise {variable} if the file is a real report.")
                w.process.kill()
            elif _rss_bytes(w.process.pid) > self.limits.memory_bytes:
                w.kill_reason = self._memory_reason()
                w.process.kill()
        for i, w in enumerate(self.workers):
            if not w.process.is_alive():
                self._bury(w)
                self.workers[i] = self._start()

    def _memory_reason(self) -> tuple[str, str]:
        return ("too_large", f"Parsing needed more than {self.limits.memory_bytes // 2**20:,} MB of memory and was "
                "stopped; raise DISCLOSURE_WORKER_MEMORY_MB if it is a real report.")

    def _receive(self, w: _Worker) -> None:
        try:
            while w.conn.poll():
                kind, chunk_id, payload = w.conn.recv()
                if kind == "ready":
                    w.ready, w.file_started = True, time.monotonic()
                elif kind == "file":
                    w.file_index, w.file_started, w.file_seen = payload, time.monotonic(), True
                elif kind == "memory":
                    w.kill_reason = self._memory_reason()
                else:
                    self.done[chunk_id] = payload + self.casualties.pop(chunk_id, [])
                    w.assigned.popleft()
                    w.file_index, w.file_started, w.file_seen, w.kill_reason = 0, time.monotonic(), False, None
        except (EOFError, OSError):
            pass  # the worker died mid-message: buried below

    def _bury(self, w: _Worker) -> None:
        """A dead worker's file is quarantined; the rest of its chunk goes back to the front of the queue."""
        w.process.join(timeout=5)
        w.conn.close()
        if not w.assigned:
            return
        (chunk_id, refs), *later = w.assigned
        self.queue.extendleft(reversed(later))  # chunks it had not started go back, in order
        if not w.file_seen:
            # Died (or was stopped for memory it held from earlier files) before reading a file of this
            # chunk: no file to blame. Hand the chunk out again, unless workers keep dying before they
            # read anything (a broken installation, a memory ceiling below a worker's own size), which
            # must stop the run, not loop.
            self.silent_deaths += 1
            if self.silent_deaths > MAX_SILENT_DEATHS:
                why = (f"exceed the memory ceiling ({self.limits.memory_bytes // 2**20:,} MB; raise "
                       "DISCLOSURE_WORKER_MEMORY_MB)" if w.kill_reason and w.kill_reason[0] == "too_large"
                       else f"die (exit code {w.process.exitcode}; run `python -c 'import pipelines.ingest.parse'` "
                            "to see why)")
                raise RuntimeError(f"Parser worker processes keep stopping before reading a file: they {why}.")
            self.queue.appendleft((chunk_id, refs))
            return
        bad = refs[w.file_index]
        code, message = w.kill_reason or ("parser_crash", f"The parser process died on this file (exit code "
                                          f"{w.process.exitcode}); report it with the file.")
        self.casualties.setdefault(chunk_id, []).append(quarantined(bad, code, message))
        rest = refs[:w.file_index] + refs[w.file_index + 1:]
        if rest:
            self.queue.appendleft((chunk_id, rest))
        else:
            self.done[chunk_id] = self.casualties.pop(chunk_id)

    def close(self) -> None:
        for w in self.workers:
            with contextlib.suppress(OSError):
                w.conn.send(None)
        for w in self.workers:
            w.process.join(timeout=5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()


def _supervise(supervisor: _Supervisor, chunks: Iterable[list[FileRef]], in_flight: int,
               out: queue.Queue, stop: threading.Event) -> None:
    """The supervisor's loop, in a thread of its own: workers stay busy while the consumer (the
    loader) writes a batch. Chunks' outcomes go to `out` in order, then None; an error goes there too."""
    try:
        source = iter(enumerate(chunks))
        next_id, submitted, exhausted = 0, 0, False
        while not stop.is_set():
            while not exhausted and submitted - next_id < in_flight:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                supervisor.queue.append(item)
                submitted += 1
            while next_id in supervisor.done:
                _hand_over(out, supervisor.done.pop(next_id), stop, supervisor.poll)
                next_id += 1
            if exhausted and next_id == submitted:
                break
            supervisor.dispatch()
            supervisor.poll()
        _hand_over(out, None, stop)
    except BaseException as exc:  # handed to the consumer, raised there
        _hand_over(out, exc, stop)
    finally:
        supervisor.close()


def _hand_over(out: queue.Queue, item: object, stop: threading.Event, meanwhile=None) -> None:
    """Put `item` for the consumer, waiting while it is behind; give up once the consumer has stopped."""
    while not stop.is_set():
        try:
            out.put(item, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if meanwhile is not None:
                meanwhile()  # keep enforcing limits while the consumer is behind


def parse_isolated(raw_dir: Path, chunks: Iterable[list[FileRef]], workers: int, limits: Limits | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES, in_flight: int | None = None,
                   work: ChunkParser = parse_chunk) -> Iterator[list[ParseOutcome]]:
    """Given chunks of files, yield each chunk's outcomes in order, parsed in `workers` supervised
    processes; at most about `in_flight` chunks are parsed ahead of the consumer (memory stays flat)."""
    limits = limits or Limits()
    in_flight = in_flight or workers * 8
    supervisor = _Supervisor(raw_dir, max(1, workers), limits, max_bytes, work)
    out: queue.Queue = queue.Queue(maxsize=max(1, in_flight // 2))
    stop = threading.Event()
    thread = threading.Thread(target=_supervise, args=(supervisor, chunks, max(1, in_flight // 2), out, stop),
                              name="parse-supervisor", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # the consumer stopped early: unblock the supervisor and wait for it
            with contextlib.suppress(queue.Empty):
                out.get(timeout=POLL_SECONDS)
