"""A failed step says its cause in its first line.

Dagster heads a failed run with the step's error; with a retry policy that is "Exceeded max_retries
of 2", the cause (`NotADirectoryError: …`) buried in the chain below. Here every step's body runs
inside `cause_said_plainly`: a problem the operator must fix (a missing raw folder, a refused mass
removal) fails at once, without retries, with its one-line message; anything else is retried where
the step allows it, and its last failure's description is the root cause itself.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Iterator

import dagster as dg

from pipelines.ingest.run import OperatorError
from pipelines.warehouse.load import WarehouseBusy

MAX_DESCRIPTION = 2000


def root_cause(exc: BaseException) -> BaseException:
    """The exception at the bottom of a chain of causes."""
    seen = set()
    while (exc.__cause__ or exc.__context__) is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return exc


def one_line(exc: BaseException) -> str:
    cause = root_cause(exc)
    text = " ".join(str(cause).split())
    return f"{type(cause).__name__}: {text}"[:MAX_DESCRIPTION]


@contextlib.contextmanager
def cause_said_plainly(context: dg.OpExecutionContext | None = None, retries: int = 0,
                       delay_seconds: float = 10.0) -> Iterator[None]:
    try:
        yield
    except (dg.Failure, dg.RetryRequested):
        raise
    except OperatorError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False,
                         metadata={"cause": type(exc).__name__}) from None
    except WarehouseBusy as exc:
        raise dg.Failure(description=str(exc), metadata={"cause": type(exc).__name__}) from exc
    except Exception as exc:
        if retries and context is not None and context.retry_number < retries:
            raise dg.RetryRequested(max_retries=retries, seconds_to_wait=delay_seconds) from exc
        attempts = f" (after {retries + 1} attempts)" if retries else ""
        raise dg.Failure(description=one_line(exc) + attempts,
                         metadata={"cause": type(root_cause(exc)).__name__}) from exc


def said_plainly(retries: int = 0, delay_seconds: float = 10.0):
    """Decorate a step's function (plain or generator) so that it fails with `cause_said_plainly`; with
    `retries`, it is tried again that many times first (the function takes `context` first)."""

    def decorate(fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def generator(*args, **kwargs):
                with cause_said_plainly(_context(args, kwargs), retries, delay_seconds):
                    yield from fn(*args, **kwargs)
            return generator

        @functools.wraps(fn)
        def plain(*args, **kwargs):
            with cause_said_plainly(_context(args, kwargs), retries, delay_seconds):
                return fn(*args, **kwargs)
        return plain

    return decorate


def _context(args: tuple, kwargs: dict):
    found = kwargs.get("context") or (args[0] if args else None)
    return found if isinstance(found, dg.OpExecutionContext) else None
