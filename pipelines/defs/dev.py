"""`make dev`: the Dagster UI (`dagster dev`), stopped whole by SIGTERM as systemd or Docker stop it.

`dagster dev` leaves SIGTERM to its caller, and a background job starts with SIGINT ignored, so a
stopped `make dev` could leave the webserver, the daemon and the code servers running. This wrapper
runs `dagster dev` in a process group of its own with SIGINT restored; on SIGTERM, SIGINT or SIGHUP
it asks the group to stop as Ctrl-C would (SIGINT), waits GRACE_SECONDS, then kills what is left of
the group. It exits with `dagster dev`'s status, or 128 + the signal that stopped it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE_SECONDS = 20.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(pgid: int, child: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """Ask the process group to stop (SIGINT), then kill whatever is left after `grace` seconds."""
    try:
        os.killpg(pgid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        child.poll()
        if not _group_alive(pgid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    child.wait()


def main(argv: list[str]) -> int:
    def restore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    child = subprocess.Popen([sys.executable, "-m", "dagster", "dev", *argv], start_new_session=True,
                             preexec_fn=restore_sigint)
    pgid = child.pid
    received: list[int] = []

    def on_signal(signum: int, _frame) -> None:
        received.append(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    while child.poll() is None and not received:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)
    if received:
        stop_group(pgid, child)
        return 128 + received[0]
    if _group_alive(pgid):  # dagster dev ended on its own: leave none of its services behind
        stop_group(pgid, child, grace=5.0)
    return child.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
