"""run_isolated: results come back, exceptions cross over, crashes and runaways do not kill us."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.guard import Unreadable
from pipeline.isolation import (
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerTimeout,
    run_isolated,
    start_isolated,
)
from tests.builders import hostile as h


def address_space() -> int:
    """This process's virtual size: a forked child starts with the same."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize in /proc/self/status")


def roomy() -> int:
    return address_space() + (512 << 20)


# top-level functions, as run_isolated expects


def add(a: int, b: int, *, times: int = 1) -> int:
    return (a + b) * times


def big_result(n: int) -> bytes:
    return b"x" * n


def raise_unreadable() -> None:
    raise Unreadable("FILE.extent", {"sheet": "走访登记", "cell": "XFD1048576", "rows": 1048576,
                                     "cols": 16384, "max_rows": 200000, "max_cols": 200})


def raise_value_error() -> None:
    raise ValueError("第7行不对")


class NeedsTwo(Exception):
    def __init__(self, a: str, b: str) -> None:  # pickle rebuilds with one arg: cannot cross
        super().__init__(f"{a}/{b}")


def raise_unpicklable() -> None:
    raise NeedsTwo("甲", "乙")


def unpicklable_result() -> object:
    return lambda: None


def abort() -> None:
    os.abort()


def kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def segfault() -> None:
    ctypes.string_at(0)


def hog(n: int) -> int:
    return len(bytearray(n))


def sleep_long(pid_file: Path, with_grandchild: bool) -> None:
    pids = [os.getpid()]
    if with_grandchild:
        pids.append(subprocess.Popen(["sleep", "60"]).pid)
    pid_file.write_text(" ".join(map(str, pids)))
    time.sleep(60)


def write_to_stderr(text: str) -> None:
    os.write(2, text.encode("utf-8"))


def pid_of_worker() -> int:
    return os.getpid()


def read_with_calamine(path: Path) -> object:
    from python_calamine import CalamineWorkbook
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # a zombie waiting for init to reap it is dead too


# --- results and exceptions -------------------------------------------------------------


def test_returns_the_result() -> None:
    assert run_isolated(add, 2, 3, times=4, timeout=10, memory_bytes=roomy()) == 20


def test_large_result_comes_back_whole() -> None:
    n = 50 << 20
    assert run_isolated(big_result, n, timeout=20, memory_bytes=roomy() + 3 * n) == b"x" * n


def test_unreadable_crosses_with_key_and_values() -> None:
    with pytest.raises(Unreadable) as caught:
        run_isolated(raise_unreadable, timeout=10, memory_bytes=roomy())
    assert caught.value.key == "FILE.extent"
    assert "XFD1048576" in caught.value.message


def test_ordinary_exception_is_raised_as_itself() -> None:
    with pytest.raises(ValueError, match="第7行不对") as caught:
        run_isolated(raise_value_error, timeout=10, memory_bytes=None)
    assert any("isolated worker" in note for note in caught.value.__notes__)


def test_exception_that_cannot_cross_becomes_worker_error() -> None:
    with pytest.raises(WorkerError) as caught:
        run_isolated(raise_unpicklable, timeout=10, memory_bytes=None)
    assert (caught.value.type_name, caught.value.message) == ("NeedsTwo", "甲/乙")
    assert "raise_unpicklable" in caught.value.child_traceback


def test_unpicklable_result_becomes_worker_error() -> None:
    with pytest.raises(WorkerError, match="结果无法传回"):
        run_isolated(unpicklable_result, timeout=10, memory_bytes=None)


# --- crashes ------------------------------------------------------------------------------


def test_abort_is_a_crash() -> None:
    with pytest.raises(WorkerCrashed) as caught:
        run_isolated(abort, timeout=10, memory_bytes=None)
    assert caught.value.signal_number == signal.SIGABRT
    assert str(caught.value) == "程序异常中止（SIGABRT）"


def test_sigkill_and_segfault_are_crashes() -> None:
    with pytest.raises(WorkerCrashed) as killed:
        run_isolated(kill_self, timeout=10, memory_bytes=None)
    assert killed.value.signal_number == signal.SIGKILL
    with pytest.raises(WorkerCrashed) as segv:
        run_isolated(segfault, timeout=10, memory_bytes=None)
    assert segv.value.signal_number == signal.SIGSEGV
    assert "SIGSEGV" in str(segv.value)


def test_memory_hog_is_stopped_at_the_limit() -> None:
    limit = roomy()
    with pytest.raises(WorkerCrashed) as caught:
        run_isolated(hog, 2 * limit, timeout=10, memory_bytes=limit)
    assert caught.value.detail == "内存超限"
    assert run_isolated(hog, 64 << 20, timeout=10, memory_bytes=limit) == 64 << 20


def test_calamine_abort_on_far_cell_is_contained(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = h.far_cell(tmp_path)
    with pytest.raises(WorkerCrashed) as caught:
        run_isolated(read_with_calamine, path, timeout=30, memory_bytes=roomy())
    assert caught.value.signal_number == signal.SIGABRT
    assert "panicked" in caught.value.stderr or "memory allocation" in caught.value.stderr
    assert "panicked" not in capfd.readouterr().err  # the Rust backtrace stays out of our stderr


# --- runaways -----------------------------------------------------------------------------


def test_timeout_kills_the_worker_and_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    with pytest.raises(WorkerTimeout) as caught:
        run_isolated(sleep_long, pid_file, True, timeout=1.5, memory_bytes=None)
    assert str(caught.value) == "超过1.5秒未完成"
    child, grandchild = map(int, pid_file.read_text().split())
    deadline = time.monotonic() + 5
    while not (gone(child) and gone(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child) and gone(grandchild)


# --- several children at once (start_isolated) -------------------------------------------


def meet(mine: Path, theirs: Path) -> str:
    """Leave a mark, then wait for the other child's: only children alive at the same
    time can both return."""
    mine.write_text("here")
    for _ in range(1000):
        if theirs.exists():
            return mine.stem
        time.sleep(0.01)
    raise TimeoutError(f"{theirs.name} never came")


def test_started_children_run_at_the_same_time(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    first = start_isolated(meet, a, b, timeout=30)
    second = start_isolated(meet, b, a, timeout=30)
    assert (second.result(), first.result()) == ("b", "a")


def test_an_answer_waiting_past_the_deadline_still_counts() -> None:
    pending = start_isolated(add, 2, 3, timeout=0.3)
    time.sleep(0.6)  # the caller was busy with something else meanwhile
    assert pending.result() == 5


def test_a_cancelled_child_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    pending = start_isolated(sleep_long, pid_file, False, timeout=30)
    for _ in range(500):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.01)
    pid = int(pid_file.read_text())
    pending.cancel()
    assert gone(pid)
    pending.cancel()  # twice is harmless


# --- a pool of kept children (WorkerPool) ----------------------------------------------------


def test_a_pool_child_serves_call_after_call() -> None:
    with WorkerPool(memory_bytes=roomy()) as pool:
        pids = {pool.submit(pid_of_worker, timeout=10).result() for _ in range(5)}
        assert pool.submit(add, 2, 3, times=4, timeout=10).result() == 20
        assert len(pids) == 1 and os.getpid() not in pids
    assert gone(pids.pop())  # closing the pool ends its idle child


def test_a_pool_runs_calls_side_by_side_in_two_children(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with WorkerPool(memory_bytes=roomy()) as pool:
        first, second = pool.submit(meet, a, b, timeout=30), pool.submit(meet, b, a, timeout=30)
        assert (second.result(), first.result()) == ("b", "a")
        assert pool.submit(add, 1, 1, timeout=10).result() == 2


def test_an_exception_crosses_and_the_child_serves_on() -> None:
    with WorkerPool(memory_bytes=roomy()) as pool:
        before = pool.submit(pid_of_worker, timeout=10).result()
        with pytest.raises(ValueError, match="第7行不对"):
            pool.submit(raise_value_error, timeout=10).result()
        assert pool.submit(pid_of_worker, timeout=10).result() == before


@pytest.mark.parametrize("fatal", [abort, kill_self, segfault])
def test_after_a_crash_the_pool_starts_a_fresh_child(fatal: object) -> None:
    with WorkerPool(memory_bytes=roomy()) as pool:
        before = pool.submit(pid_of_worker, timeout=10).result()
        with pytest.raises(WorkerCrashed):
            pool.submit(fatal, timeout=10).result()
        assert gone(before)
        after = pool.submit(pid_of_worker, timeout=10).result()
        assert after != before


def test_a_child_out_of_memory_is_not_used_again() -> None:
    limit = roomy()
    with WorkerPool(memory_bytes=limit) as pool:
        before = pool.submit(pid_of_worker, timeout=10).result()
        with pytest.raises(WorkerCrashed, match="内存超限"):
            pool.submit(hog, 2 * limit, timeout=10).result()
        assert pool.submit(hog, 64 << 20, timeout=10).result() == 64 << 20
        assert pool.submit(pid_of_worker, timeout=10).result() != before


def test_a_runaway_in_the_pool_is_killed_and_replaced(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    with WorkerPool(memory_bytes=roomy()) as pool:
        with pytest.raises(WorkerTimeout):
            pool.submit(sleep_long, pid_file, True, timeout=1.5).result()
        child, grandchild = map(int, pid_file.read_text().split())
        deadline = time.monotonic() + 5
        while not (gone(child) and gone(grandchild)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(child) and gone(grandchild)
        assert pool.submit(add, 2, 3, timeout=10).result() == 5


def test_a_child_that_died_while_idle_is_replaced_without_failing_the_call() -> None:
    with WorkerPool(memory_bytes=roomy()) as pool:
        idle = pool.submit(pid_of_worker, timeout=10).result()
        os.kill(idle, signal.SIGKILL)  # the OOM killer, say, between two files
        deadline = time.monotonic() + 5
        while not gone(idle) and time.monotonic() < deadline:
            time.sleep(0.01)
        fresh = pool.submit(pid_of_worker, timeout=10).result()
    assert fresh != idle


def test_a_child_serves_a_bounded_number_of_calls() -> None:
    with WorkerPool(memory_bytes=roomy(), calls_per_worker=3) as pool:
        pids = [pool.submit(pid_of_worker, timeout=10).result() for _ in range(7)]
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4] == pids[5] != pids[6]
    assert all(gone(pid) for pid in pids)


def test_a_cancelled_pool_call_kills_its_child_only(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    with WorkerPool(memory_bytes=roomy()) as pool:
        idle = pool.submit(pid_of_worker, timeout=10)
        busy = pool.submit(sleep_long, pid_file, False, timeout=30)
        kept = idle.result()
        for _ in range(500):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.01)
        busy.cancel()
        assert gone(int(pid_file.read_text()))
        idle.cancel()  # already answered: its child, back in the pool, is not touched
        assert not gone(kept)
        assert pool.submit(pid_of_worker, timeout=10).result() == kept


def test_a_pool_child_keeps_only_its_current_calls_stderr() -> None:
    with WorkerPool(memory_bytes=roomy()) as pool:
        pool.submit(write_to_stderr, "早先的输出", timeout=10).result()
        with pytest.raises(WorkerCrashed) as caught:
            pool.submit(abort, timeout=10).result()
    assert "早先的输出" not in caught.value.stderr


def test_a_pool_never_closed_does_not_hold_up_the_exit(tmp_path: Path) -> None:
    script = tmp_path / "forgets.py"
    script.write_text("from pipeline.isolation import WorkerPool\n"
                      "pool = WorkerPool()\n"
                      "print(pool.submit(abs, -3, timeout=10).result())\n", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(script)], cwd=root, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(root)})
    assert (done.returncode, done.stdout.strip()) == (0, "3")


def test_the_parents_heap_stays_frozen_exactly_while_a_child_lives() -> None:
    # every earlier test's children have stopped: nothing is frozen
    assert gc.get_freeze_count() == 0
    with WorkerPool(memory_bytes=roomy()) as pool:
        assert pool.submit(add, 1, 2, timeout=10).result() == 3
        assert gc.get_freeze_count() > 0  # the idle child still shares this heap
    assert gc.get_freeze_count() == 0
    pending = start_isolated(add, 2, 2, timeout=10)
    assert gc.get_freeze_count() > 0
    assert pending.result() == 4
    assert gc.get_freeze_count() == 0
    with pytest.raises(WorkerCrashed):
        run_isolated(abort, timeout=10)
    assert gc.get_freeze_count() == 0


def test_a_start_interrupted_after_the_fork_leaves_no_child(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    import multiprocessing.context as context

    started: list[int] = []
    start = context.ForkProcess.start

    def interrupted(self: context.ForkProcess) -> None:
        start(self)
        started.append(self.pid or 0)
        raise KeyboardInterrupt  # Ctrl-C just after the fork

    monkeypatch.setattr(context.ForkProcess, "start", interrupted)
    with pytest.raises(KeyboardInterrupt):
        start_isolated(sleep_long, tmp_path / "pid", False, timeout=30)
    assert len(started) == 1 and gone(started[0])
    assert gc.get_freeze_count() == 0
