"""Atomic writes: a reader sees the old file or the new one, never half of either.

Each file is written beside its target, flushed to disk, then renamed onto it. Files
written together (`atomic_batch`) are flushed together before any is renamed: on ext4
the first fsync commits the journal with every file written so far, so the others cost
next to nothing, where one fsync per file costs a journal commit each (2 ms apiece
while a run's master grows beside them).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


class AtomicBatch:
    """Temporary files waiting to be renamed onto their targets (`atomic_batch`)."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []  # (temporary, target)
        self._removals: set[Path] = set()

    def path(self, target: Path) -> Path:
        """A new temporary path beside `target`, renamed onto it when the batch commits."""
        self._removals.discard(target)  # the last word on a target wins
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:  # mkstemp makes 0600; outputs are ordinary files. Set now: a later chmod
            os.fchmod(fd, 0o666 & ~_umask())  # would dirty the inode after its flush
        finally:
            os.close(fd)
        self._pending.append((Path(tmp), target))
        return Path(tmp)

    def holds(self, target: Path) -> bool:
        """Whether this batch will put a file at `target`."""
        return any(t == target for _, t in self._pending)

    def write_bytes(self, target: Path, data: bytes) -> Path:
        tmp = self.path(target)
        try:
            tmp.write_bytes(data)
        except BaseException:  # a half-written file must not be renamed into place later
            self.drop(tmp)
            raise
        return target

    def drop(self, tmp: Path) -> None:
        """Give up a temporary path of this batch (its writer failed): never renamed."""
        self._pending = [(t, target) for t, target in self._pending if t != tmp]
        tmp.unlink(missing_ok=True)

    def remove(self, target: Path) -> None:
        """Delete `target` when the batch commits (and only then), in place of whatever
        the batch wrote to it before; a later write to it wins again."""
        for tmp, _ in [p for p in self._pending if p[1] == target]:
            self.drop(tmp)
        self._removals.add(target)

    def write_text(self, target: Path, text: str) -> Path:
        return self.write_bytes(target, text.encode("utf-8"))

    def commit(self) -> None:
        for tmp, _ in self._pending:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        for target in self._removals:
            target.unlink(missing_ok=True)
        self._removals.clear()
        done = 0
        try:
            for tmp, target in self._pending:
                os.replace(tmp, target)
                done += 1
        finally:
            del self._pending[:done]

    def discard(self) -> None:
        """Remove whatever was not renamed into place."""
        while self._pending:
            tmp, _ = self._pending.pop()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_batch() -> Iterator[AtomicBatch]:
    """Write several files; on success all are flushed, then renamed into place. If the
    block raises, none of them is."""
    batch = AtomicBatch()
    try:
        yield batch
        batch.commit()
    finally:
        batch.discard()


@contextlib.contextmanager
def joined(batch: AtomicBatch | None) -> Iterator[AtomicBatch]:
    """`batch`, when a caller writes several outputs as one (a run's outbox); else a batch
    of the writer's own, committed when the block ends."""
    if batch is not None:
        yield batch
    else:
        with atomic_batch() as own:
            yield own


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it is renamed onto `path`."""
    with atomic_batch() as batch:
        yield batch.path(path)


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    with atomic_batch() as batch:
        return batch.write_bytes(path, data)


def write_text_atomic(path: Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files (".name.xxxx.tmp", as AtomicBatch names them) that a
    killed writer left under `folder`; call it only while no writer can be at work there."""
    removed = [path for path in folder.rglob(".*.tmp") if path.is_file()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
