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

`WorkerPool` keeps its children for many calls, one call at a time each: a fresh fork per
workbook cost its parse a third again in page faults. A child that crashed, ran out of
memory or past its time is never used again, and none serves more than
`CALLS_PER_WORKER` calls.
"""

from __future__ import annotations

import ctypes
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
from typing import Any, Generic, TypeVar, cast

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
    worker = _Worker(memory_bytes, first=(fn, args, kwargs))
    return Pending(worker, time.monotonic() + timeout, timeout)


CALLS_PER_WORKER = 64  # then a fresh child: whatever a long life piles up stays bounded


class WorkerPool:
    """Children kept for many isolated calls (`submit`), each running one at a time; at
    most as many children as calls in flight. Use it as a context manager, or `close()`.

    A call's arguments and `fn` itself are pickled to the child (`fn` by name, so a
    top-level function); the child was forked when the pool first needed it, so it
    holds whatever this process had imported and prepared by then.
    """

    def __init__(self, memory_bytes: int | None = config.WORKER_MEMORY_BYTES,
                 calls_per_worker: int = CALLS_PER_WORKER) -> None:
        self.memory_bytes, self.calls_per_worker = memory_bytes, calls_per_worker
        self._idle: list[_Worker] = []
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any,
               timeout: float = config.WORKER_TIMEOUT_SECONDS, **kwargs: Any) -> Pending[T]:
        while True:
            worker = self._idle.pop() if self._idle else _Worker(self.memory_bytes, serves=True)
            try:
                worker.send(fn, args, kwargs)
            except BrokenPipeError:  # it died while idle (the OOM killer, say): not this
                worker.stop()        # call's fault, so the call goes to another child
                continue
            except BaseException:
                worker.stop()
                raise
            return Pending(worker, time.monotonic() + timeout, timeout, pool=self)

    def _give_back(self, worker: _Worker) -> None:
        if worker.calls < self.calls_per_worker and not self._closed:
            self._idle.append(worker)
        else:
            worker.stop()

    def close(self) -> None:
        self._closed = True  # a call still pending ends its child when it answers
        while self._idle:
            self._idle.pop().stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Frozen:
    """While a forked child lives, this process's garbage collections leave alone what it
    shares with the child: each fork is preceded by `gc.freeze()`, and the heap is unfrozen
    when the last child has stopped. A full collection writes to every object it visits,
    and each write copies a page the child shares (fork's copy-on-write): in a district
    night, one such collection in the run's process cost 16 MB across it and its two
    parse workers. (Cyclic garbage that exists at a fork is kept until then too: a few
    thousand objects in a run, less than a collection before each fork would cost.)"""

    children = 0

    @classmethod
    def forking(cls) -> None:
        gc.freeze()
        cls.children += 1

    @classmethod
    def stopped(cls) -> None:
        cls.children -= 1
        if cls.children == 0:
            gc.unfreeze()


class _Worker:
    """One forked child: its answers come back on `results`; a serving child also reads
    calls from `tasks` (a one-call child got its call with the fork, nothing pickled)."""

    def __init__(self, memory_bytes: int | None, *,
                 first: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = None,
                 serves: bool = False) -> None:
        ctx = mp.get_context("fork")
        self.results, sender = ctx.Pipe(duplex=False)
        tasks_in: Connection | None = None
        self.tasks: Connection | None = None
        if serves:
            tasks_in, self.tasks = ctx.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # or the child would flush our buffers again
            stream.flush()
        self.errlog = tempfile.TemporaryFile()
        # A serving child waits for calls for as long as its pool lives: daemonic, so that
        # a pool never closed (an exception, a forgotten close) cannot hold up our exit.
        self.child = ctx.Process(target=_child_main, daemon=serves, args=(
            sender, tasks_in, self.errlog.fileno(), memory_bytes, first,
            (self.results, self.tasks), os.getpid()))
        self.calls = 1 if first else 0
        _Frozen.forking()
        try:
            self.child.start()
        except BaseException:
            if self.child.pid is not None:  # it was forked before the failure: no orphan
                _kill(self.child)
            self.errlog.close()
            self.results.close()
            if self.tasks is not None:
                self.tasks.close()
            _Frozen.stopped()
            raise
        finally:
            sender.close()
            if tasks_in is not None:
                tasks_in.close()

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        assert self.tasks is not None, "a one-call worker takes no further call"
        self.errlog.seek(0)  # the log holds this call's output only (the offset is shared)
        self.errlog.truncate()
        self.tasks.send_bytes(pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        self.calls += 1

    def stop(self) -> None:
        """Kill the child (if still running) and release what it held; idempotent."""
        if not self.results.closed:
            _kill(self.child)
            self.results.close()
            self.errlog.close()
            if self.tasks is not None:
                self.tasks.close()
            _Frozen.stopped()


class Pending(Generic[T]):
    """A started isolated call; `result()` once, or `cancel()`."""

    def __init__(self, worker: _Worker, deadline: float, timeout: float,
                 pool: WorkerPool | None = None) -> None:
        self.worker, self.pool = worker, pool
        self.deadline, self.timeout = deadline, timeout
        self.settled = False  # answered or cancelled: the child is no longer this call's

    def result(self) -> T:
        worker = self.worker
        try:
            message = _receive(worker.child, worker.results, self.deadline, self.timeout)
            if message is None:
                # The pipe can report the end before the child is reaped: wait for its
                # exit status, or the crash would be reported without its signal.
                worker.child.join(EXIT_STATUS_WAIT_SECONDS)
                raise _crashed(worker.child.exitcode, _tail(worker.errlog))
            kind, payload = _load(message)
        except BaseException:
            self.cancel()
            raise
        if self.pool is not None and kind != "crashed":  # it answered and lives on
            self.settled = True
            self.pool._give_back(worker)
        else:
            self.cancel()
        return cast(T, _answer(kind, payload))

    def cancel(self) -> None:
        """Kill the child (if still running) and release what it held; idempotent. A
        pool's child that has not answered may stay busy for long: it is killed too."""
        if not self.settled:
            self.settled = True
            self.worker.stop()


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


def _load(message: bytes) -> tuple[str, list[Any]]:
    try:
        kind, *payload = pickle.loads(message)
    except Exception as exc:
        raise WorkerError(type(exc).__name__, f"结果无法读取：{exc}") from exc
    return kind, payload


def _answer(kind: str, payload: list[Any]) -> Any:
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


def _child_main(sender: Connection, tasks: Connection | None, errfd: int,
                memory_bytes: int | None,
                first: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None,
                parents_ends: tuple[Connection | None, ...], parent: int) -> None:
    # The child dies with its parent, even in the middle of a call: it holds copies of the
    # parent's descriptors (the run's lock among them), which must not outlive the run.
    _die_with(parent)
    for end in parents_ends:  # and a pool's child sees the end of its calls as EOF
        if end is not None:
            end.close()
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
        if first is not None and not _call(sender, *first):
            return
        while tasks is not None:
            try:
                fn, args, kwargs = pickle.loads(tasks.recv_bytes())
            except EOFError:  # the pool is done with this child
                return
            if not _call(sender, fn, args, kwargs):
                return
    finally:
        os._exit(0)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """Have the kernel send this process SIGKILL when its parent dies (Linux; elsewhere
    a pool's child still ends when its task pipe reports EOF)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(0)


def _call(sender: Connection, fn: Callable[..., Any], args: tuple[Any, ...],
          kwargs: dict[str, Any]) -> bool:
    """Run one call and send its answer; False when this child should serve no more."""
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
    sound = payload[0] != "crashed"
    del payload
    sender.send_bytes(data)
    return sound


def _raised(exc: BaseException) -> tuple[Any, ...]:
    child_tb = "".join(traceback.format_exception(exc))
    try:
        if type(pickle.loads(pickle.dumps(exc))) is type(exc):
            return ("raised", exc, child_tb)
    except Exception:  # noqa: BLE001 - an exception that cannot cross the pipe as itself
        pass
    return ("error", type(exc).__qualname__, str(exc), child_tb)
