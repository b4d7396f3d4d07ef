"""One run at a time: an advisory lock (flock) on data/run.lock.

The kernel releases a flock when its process dies, so a lock left by a dead run is
simply taken over; the file's text says who holds it and since when.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from pipeline.messages import say


class RunLocked(Exception):
    """Another run holds the lock."""


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(_holder_message(path)) from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder, ensure_ascii=False).encode(), 0)
        os.fsync(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _holder_message(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    return say("RUN.locked", pid=holder.get("pid", "未知"), host=holder.get("host", "未知"),
               since=holder.get("since", "未知"))
