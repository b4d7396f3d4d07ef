"""Run untrusted parsing in a child process, so a crash or a runaway cannot take the run down.

`run_isolated(fn, *args, timeout=…, memory_bytes=…, **kwargs)` forks a child, caps its
address space with RLIMIT_AS, runs `fn` there and hands back its result through a pipe.
What can go wrong comes back as an exception in the parent, never as a dead process:

- `fn` raised: the same exception is raised here (the child's traceback added as a note),
  or `WorkerError` when it cannot cross the pipe;
- the child died (a Rust panic's SIGABRT, a segfault, SIGKILL) or ran out of memory:
  `WorkerCrashed`, whose `detail` is short Chinese text for the clerk's message;
- it ran past `timeout` seconds: `WorkerTimeout`, after the child (and anything it
  started) was killed.

The child's stderr (a Rust backtrace, say) goes to a temporary file, not the terminal; its
first and last lines are kept on `WorkerCrashed.stderr` for the log.
"""

from __future__ import annotations

import faulthandler
import gc
import multiprocessing as mp
import os
import pickle
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import IO, Any, Generic, TypeVar, cast

from pipeline import config

T = TypeVar("T")

MEMORY_DETAIL = "内存超限"
SIGNAL_DETAILS = {
    signal.SIGABRT: "程序异常中止（SIGABRT）",
    signal.SIGSEGV: "内存访问错误（SIGSEGV）",
    signal.SIGKILL: "进程被强制终止（SIGKILL，可能是内存不足）",
    signal.SIGBUS: "内存访问错误（SIGBUS）",
}
STDERR_KEEP = 2048


class WorkerFailure(Exception):
    """The isolated call did not produce a result."""


class WorkerCrashed(WorkerFailure):
    """The child died: killed by a signal, out of memory, or exited without an answer."""

    def __init__(self, detail: str, stderr: str = "", signal_number: int | None = None) -> None:
        super().__init__(detail, stderr, signal_number)
        self.detail, self.stderr, self.signal_number = detail, stderr, signal_number

    def __str__(self) -> str:
        return self.detail


class WorkerTimeout(WorkerFailure):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return f"超过{self.seconds:g}秒未完成"


class WorkerError(WorkerFailure):
    """`fn` raised an exception that could not be sent back as itself."""

    def __init__(self, type_name: str, message: str, child_traceback: str = "") -> None:
        super().__init__(type_name, message, child_traceback)
        self.type_name, self.message, self.child_traceback = type_name, message, child_traceback

    def __str__(self) -> str:
        return f"{self.type_name}: {self.message}" if self.message else self.type_name


def run_isolated(fn: Callable[..., T], *args: Any,
                 timeout: float = config.WORKER_TIMEOUT_SECONDS,
                 memory_bytes: int | None = config.WORKER_MEMORY_BYTES,
                 **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a forked child with RLIMIT_AS = memory_bytes (the child's
    whole address space, which starts as a copy of this process's); None means no cap.

    `fn` should be a top-level function and its result picklable. `timeout` and
    `memory_bytes` are taken by this function, never passed on to `fn`.
    """
    return start_isolated(fn, *args, timeout=timeout, memory_bytes=memory_bytes,
                          **kwargs).result()


EXIT_STATUS_WAIT_SECONDS = 5.0


def start_isolated(fn: Callable[..., T], *args: Any,
                   timeout: float = config.WORKER_TIMEOUT_SECONDS,
                   memory_bytes: int | None = config.WORKER_MEMORY_BYTES,
                   **kwargs: Any) -> Pending[T]:
    """Like `run_isolated`, but returns at once: the child works while the caller does
    something else, and `.result()` waits for it. Start children from one thread only
    (a fork copies no other thread, and no lock another thread might hold)."""
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # or the child would flush our buffers again
        stream.flush()
    errlog = tempfile.TemporaryFile()
    child = ctx.Process(target=_child_main,
                        args=(sender, errlog.fileno(), memory_bytes, fn, args, kwargs))
    try:
        child.start()
    except BaseException:
        errlog.close()
        receiver.close()
        raise
    finally:
        sender.close()
    return Pending(child, receiver, errlog, time.monotonic() + timeout, timeout)


class Pending(Generic[T]):
    """A started isolated call; `result()` once, or `cancel()`."""

    def __init__(self, child: Any, receiver: Connection, errlog: IO[bytes], deadline: float,
                 timeout: float) -> None:
        self.child, self.receiver, self.errlog = child, receiver, errlog
        self.deadline, self.timeout = deadline, timeout

    def result(self) -> T:
        try:
            message = _receive(self.child, self.receiver, self.deadline, self.timeout)
            if message is None:
                # The pipe can report the end before the child is reaped: wait for its
                # exit status, or the crash would be reported without its signal.
                self.child.join(EXIT_STATUS_WAIT_SECONDS)
                raise _crashed(self.child.exitcode, _tail(self.errlog))
        finally:
            self.cancel()
        return cast(T, _unpack(message))

    def cancel(self) -> None:
        """Kill the child (if still running) and release what it held; idempotent."""
        if not self.receiver.closed:
            _kill(self.child)
            self.receiver.close()
            self.errlog.close()


def _receive(child: Any, receiver: Connection, deadline: float, timeout: float) -> bytes | None:
    """The child's one message, or None when it died without sending one. An answer that
    is waiting counts even past the deadline (the caller may have been busy elsewhere)."""
    while True:
        remaining = max(deadline - time.monotonic(), 0)
        ready = wait([receiver, child.sentinel], remaining)
        if receiver in ready or (ready and receiver.poll()):
            try:
                return receiver.recv_bytes()
            except EOFError:
                return None
        if ready:  # the child has exited and left nothing in the pipe
            return None
        if remaining <= 0:
            raise WorkerTimeout(timeout)


def _unpack(message: bytes) -> Any:
    try:
        kind, *payload = pickle.loads(message)
    except Exception as exc:
        raise WorkerError(type(exc).__name__, f"结果无法读取：{exc}") from exc
    if kind == "ok":
        return payload[0]
    if kind == "raised":
        raised, child_tb = payload
        raised.add_note(f"(in the isolated worker)\n{child_tb}")
        raise raised
    if kind == "error":
        raise WorkerError(*payload)
    raise WorkerCrashed(payload[0])


def _kill(child: Any) -> None:
    """Kill the child and its process group (anything it started), then reap it."""
    if child.is_alive():
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except OSError:
            child.kill()
    child.join()


def _crashed(exitcode: int | None, stderr: str) -> WorkerCrashed:
    if "memory allocation" in stderr or "MemoryError" in stderr:
        return WorkerCrashed(MEMORY_DETAIL, stderr, -exitcode if exitcode and exitcode < 0 else None)
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            sig = signal.Signals(number)
            detail = SIGNAL_DETAILS.get(sig, f"进程被信号{sig.name}终止")
        except ValueError:
            detail = f"进程被信号{number}终止"
        return WorkerCrashed(detail, stderr, number)
    return WorkerCrashed(f"进程异常退出（退出码{exitcode}）", stderr)


def _tail(errlog: Any) -> str:
    """The start (a panic's message) and the end of what the child wrote to stderr."""
    size = errlog.seek(0, os.SEEK_END)
    errlog.seek(0)
    if size <= 2 * STDERR_KEEP:
        return str(errlog.read().decode("utf-8", "replace"))
    head = errlog.read(STDERR_KEEP)
    errlog.seek(size - STDERR_KEEP)
    return f"{head.decode('utf-8', 'replace')}\n…\n{errlog.read().decode('utf-8', 'replace')}"


# --- in the child -------------------------------------------------------------------


def _child_main(sender: Connection, errfd: int, memory_bytes: int | None,
                fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    # What the parent made stays out of this process's garbage collections: a collection
    # writes to every object it visits, and each write copies a shared page (fork's
    # copy-on-write), which costs more than the parse itself.
    gc.freeze()
    os.setsid()  # its own process group, so a kill reaches whatever it starts
    os.dup2(errfd, 2)
    faulthandler.enable(file=2)  # a segfault's Python traceback goes to the log, not the terminal
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_bytes is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        payload: tuple[Any, ...] = ("ok", fn(*args, **kwargs))
    except MemoryError:
        payload = ("crashed", MEMORY_DETAIL)
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        payload = _raised(exc)
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("crashed", MEMORY_DETAIL))
    except Exception as exc:  # an unpicklable result
        data = pickle.dumps(("error", type(exc).__name__, f"结果无法传回：{exc}", ""))
    del payload
    try:
        sender.send_bytes(data)
        sender.close()
    finally:
        os._exit(0)


def _raised(exc: BaseException) -> tuple[Any, ...]:
    child_tb = "".join(traceback.format_exception(exc))
    try:
        if type(pickle.loads(pickle.dumps(exc))) is type(exc):
            return ("raised", exc, child_tb)
    except Exception:  # noqa: BLE001 - an exception that cannot cross the pipe as itself
        pass
    return ("error", type(exc).__qualname__, str(exc), child_tb)
