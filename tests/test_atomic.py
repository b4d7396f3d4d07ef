"""Atomic writes: every target is the old file or the new one, never half, never a stray."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.atomic import atomic_batch, atomic_path, write_text_atomic


def test_a_batch_puts_every_file_in_place_and_leaves_no_temporary(tmp_path: Path) -> None:
    old = tmp_path / "a.html"
    old.write_text("旧", encoding="utf-8")
    with atomic_batch() as batch:
        batch.write_text(old, "新")
        batch.write_bytes(tmp_path / "sub" / "b.json", b"{}")
        with open(batch.path(tmp_path / "c.xlsx"), "wb") as fh:
            fh.write(b"PK")
        assert old.read_text(encoding="utf-8") == "旧"  # nothing moves before the end
        assert not (tmp_path / "sub" / "b.json").exists()
    assert old.read_text(encoding="utf-8") == "新"
    assert (tmp_path / "sub" / "b.json").read_bytes() == b"{}"
    assert (tmp_path / "c.xlsx").read_bytes() == b"PK"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "a.html", "b.json", "c.xlsx"]
    assert (tmp_path / "a.html").stat().st_mode & 0o777 != 0o600  # not mkstemp's private mode


def test_a_failed_batch_changes_nothing(tmp_path: Path) -> None:
    kept = tmp_path / "kept.html"
    kept.write_text("旧", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_batch() as batch:
        batch.write_text(kept, "新")
        batch.write_text(tmp_path / "new.json", "{}")
        raise RuntimeError("rendering failed")
    assert kept.read_text(encoding="utf-8") == "旧"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.html"]


def test_a_file_that_fails_to_write_is_dropped_and_the_rest_still_land(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_bytes

    def disk_full(self: Path, data: bytes) -> int:
        if self.name.startswith(".copy.xlsx."):
            real(self, data[:1])  # half written, then the disk is full
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with atomic_batch() as batch:
        batch.write_text(tmp_path / "page.html", "页面")
        with pytest.raises(OSError):
            batch.write_bytes(tmp_path / "copy.xlsx", b"PK")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_single_writes(tmp_path: Path) -> None:
    write_text_atomic(tmp_path / "x.txt", "一")
    with atomic_path(tmp_path / "y.bin") as tmp:
        tmp.write_bytes(b"\x00")
    with pytest.raises(ValueError), atomic_path(tmp_path / "z.bin") as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("stopped")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt", "y.bin"]


def test_a_removal_waits_for_the_commit_and_yields_to_a_later_write(tmp_path: Path) -> None:
    stale, rewritten = tmp_path / "old_批注.xlsx", tmp_path / "again.xlsx"
    stale.write_bytes(b"old")
    rewritten.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_batch() as batch:
        batch.remove(stale)
        raise RuntimeError("the run failed")
    assert stale.read_bytes() == b"old"  # a failed batch removes nothing either
    with atomic_batch() as batch:
        batch.remove(stale)
        batch.remove(rewritten)
        batch.write_bytes(rewritten, b"new")
        assert stale.exists()
    assert not stale.exists() and rewritten.read_bytes() == b"new"


def test_a_removal_after_a_write_in_the_same_batch_wins(tmp_path: Path) -> None:
    copy = tmp_path / "周报_批注.xlsx"  # the earlier file of a run wrote it, the later one has none
    with atomic_batch() as batch:
        batch.write_bytes(copy, b"earlier")
        batch.remove(copy)
    assert list(tmp_path.iterdir()) == []
