"""The nightly job (`run`): take the inbox, merge what is valid into the master, publish.

Order of events, so that nothing is ever lost or merged twice:
1. every inbox file is copied byte for byte into archive/ (and checked unchanged);
2. in ONE master transaction, each file is checked against the schemas and the master
   (as it stands with earlier files of this run), recorded in `submissions`, and merged
   whole if valid; the transaction commits at the end or not at all, and each file's
   report for its clerk (outbox/feedback) is put in place just before it commits;
3. only then do files leave inbox/; a crash before that leaves them for the next run,
   whose duplicate check (same sha256) stops a second merge;
4. the outputs are rendered, each file written atomically, and the run summary last.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pipeline.atomic import AtomicBatch, atomic_batch, sweep_temporaries
from pipeline.check import Checked, as_text, check_ahead, check_file, clerk_name, sha256_of
from pipeline.feedback import write_feedback
from pipeline.findings import Finding, Verdict
from pipeline.lock import RunLocked, run_lock
from pipeline.messages import say
from pipeline.publish import publish
from pipeline.store import Master
from pipeline.workspace import Workspace
from schemas.rules import WARNING

__all__ = ["RunLocked", "RunSummary", "run_nightly"]

PROGRESS_FROM = 10  # files; below this a line per file is enough
NAME_MAX_BYTES = 255  # of a file name, on ext4 and most others


@dataclass
class FileResult:
    name: str
    sha256: str
    status: str  # accepted | rejected | duplicate
    errors: int
    warnings: int
    feedback: str | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunSummary:
    as_of: dt.date
    started: str
    finished: str = ""
    files: list[FileResult] = field(default_factory=list)
    merged_rows: Counter[str] = field(default_factory=Counter)
    replaced_rows: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)      # rules hit in file verdicts
    supervision: dict[str, int] = field(default_factory=dict)    # 督办 findings per rule

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "started": self.started, "finished": self.finished,
            "files": [f.as_json() for f in self.files],
            "merged_rows": dict(self.merged_rows), "replaced_rows": dict(self.replaced_rows),
            "findings": dict(self.findings), "supervision": dict(self.supervision),
        }


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# what Windows and macOS leave in a folder a clerk copies: never a clerk's file
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"})
EMPTY_FOLDER_QUIET_SECONDS = 3600


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox and its folders (a clerk may drop a folder of them),
    oldest first; Excel's own ~$ lock files, dotfiles (and dot-folders) and the system's
    Thumbs.db and desktop.ini stay where they are."""
    files = [p for p in inbox.rglob("*")
             if p.is_file() and p.name.lower() not in SYSTEM_FILES
             and not any(part.startswith((".", "~$")) for part in p.relative_to(inbox).parts)]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, str(p)))


def signature(path: Path) -> tuple[int, int, int]:
    """What tells a file's content changed without reading it: size, mtime, inode."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def archive_file(path: Path, archive: Path, received: dt.datetime) -> tuple[Path, str] | None:
    """Copy `path` byte for byte into archive/<date>/; None if it changed while copied."""
    before = path.stat()
    folder = archive / received.strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)  # swept if killed
    os.close(fd)
    tmp = Path(name)
    shutil.copyfile(path, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    after = path.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or \
            tmp.stat().st_size != after.st_size:
        tmp.unlink()
        return None
    sha = sha256_of(tmp)
    target = folder / _fitted(f"{sha[:12]}_{clerk_name(path)}")
    os.replace(tmp, target)
    return target, sha


def _fitted(name: str, limit: int = NAME_MAX_BYTES) -> str:
    """`name` cut to `limit` bytes, its extension kept: a clerk's 250-byte file name is
    legal, and with the archive's prefix it would not be."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:  # no extension to keep
        stem, dot, suffix = name, "", ""
    while stem and len(f"{stem}{dot}{suffix}".encode()) > limit:
        stem = stem[:-1]
    return f"{stem}{dot}{suffix}"


class PublishFailed(Exception):
    """Rendering the outputs failed after the master had committed the run's files: the
    run is taken back (INTERFACE: exit 1, the master as it was). outbox/ and the clerks'
    reports are the last run's (written atomically), the files wait in the inbox."""

    def __init__(self, summary: RunSummary, cause: BaseException,
                 undo_failed: BaseException | None = None) -> None:
        if undo_failed is None:
            text = say("RUN.publish_failed", files=len(summary.files), detail=repr(cause))
        else:  # the master could not be taken back either: say what it holds
            text = say("RUN.publish_failed_kept", files=len(summary.files),
                       detail=f"{cause!r}; {undo_failed!r}")
        super().__init__(text)
        self.summary = summary


def run_nightly(workspace: Workspace, as_of: dt.date | None = None,
                out: IO[str] = sys.stdout) -> RunSummary:
    workspace.ensure()
    as_of = as_of or dt.date.today()
    with run_lock(workspace.data / "run.lock"):
        summary = RunSummary(as_of=as_of, started=now_iso())
        for folder in (workspace.feedback, workspace.public, workspace.internal,
                       workspace.archive):
            sweep_temporaries(folder)  # a killed run's unfinished files (the lock is ours)
        config = workspace.config()
        master = Master(workspace.master)
        try:
            # The clerks' reports are put in place once the master has committed and the
            # outputs are made: one flush to disk for all of them (each fsync while the
            # master's transaction grows costs a journal commit with its pages), and none of
            # them unless the master holds what they say. A run killed after the COMMIT
            # leaves its files in the inbox; the next reports them as received already.
            last = master.last_submission()
            with atomic_batch() as reports:
                done = _ingest(workspace, master, config, as_of, summary, out, reports)
                try:
                    summary.supervision = publish(workspace, master, config, as_of)
                except Exception as exc:  # take the run back: the master as it was
                    try:
                        master.undo_after(last)
                    except Exception as undo:  # said, with the first cause
                        summary.finished = now_iso()
                        _write_summary(workspace, summary)
                        raise PublishFailed(summary, exc, undo) from exc
                    raise PublishFailed(summary, exc) from exc
            for path, archived in done.items():  # verdicts in place: the files may leave
                _leave_inbox(path, archived, out)
            _remove_empty_folders(workspace.inbox, done)
        finally:
            master.close()
        summary.finished = now_iso()
        _write_summary(workspace, summary)
        print(_closing_line(summary), file=out)
        return summary


def _ingest(workspace: Workspace, master: Master, config: Any, as_of: dt.date,
            summary: RunSummary, out: IO[str], reports: AtomicBatch,
            ) -> dict[Path, tuple[int, int, int]]:
    files = inbox_files(workspace.inbox)
    # (inbox file, archived copy, sha256, when): two identical files of one name in two
    # folders share an archived copy, and each is still taken and reported
    received: list[tuple[Path, Path, str, dt.datetime]] = []
    taken: dict[Path, tuple[int, int, int]] = {}  # inbox file -> its signature when archived
    for path in files:
        when = dt.datetime.now().astimezone()
        taken[path] = signature(path)
        archived = archive_file(path, workspace.archive, when)
        if archived is None:
            print(say("RUN.changing", file=clerk_name(path)), file=out)
            continue
        received.append((path, *archived, when))
    sha_of = {archive_path: sha for _, archive_path, sha, _ in received}
    done: dict[Path, tuple[int, int, int]] = {}
    seen: dict[str, dict[str, Any]] = {}  # sha256 -> its submission, for files taken this run
    started: set[str] = set()

    def known(archive_path: Path) -> bool:  # the same bytes came before: not read again
        sha = sha_of[archive_path]
        if sha in started or master.find_submission(sha) is not None:
            return True
        started.add(sha)
        return False

    with master.transaction(), contextlib.closing(check_ahead(
            [r[1] for r in received], config, as_of, master, skip=known)) as checks:
        for index, ((path, archive_path, sha, when), (_, checked)) in enumerate(
                zip(received, checks, strict=True), 1):
            result = _take(workspace, master, config, as_of, path, archive_path, sha, when,
                           seen, summary, checked, reports)
            summary.files.append(result)
            done[path] = taken[path]
            _report(out, result, index, len(received))
    return done


def _leave_inbox(path: Path, archived: tuple[int, int, int], out: IO[str]) -> None:
    """Remove a taken file from the inbox, unless it has changed since it was archived
    (a slow copy still arriving, a clerk saving again): that version waits for the next run."""
    try:
        if signature(path) != archived:
            print(say("RUN.changed_since", file=clerk_name(path)), file=out)
            return
        path.unlink()
    except FileNotFoundError:
        pass


def _remove_empty_folders(inbox: Path, taken: Iterable[Path]) -> None:
    """A folder a clerk dropped into the inbox goes once the files taken from it have left
    it (with the system's Thumbs.db and the like); an empty folder this run took nothing
    from goes only once it has been left alone for an hour (a clerk may be about to copy
    into it)."""
    quiet = dt.datetime.now().timestamp() - EMPTY_FOLDER_QUIET_SECONDS
    folders = {parent for path in taken for parent in path.parents
               if parent != inbox and inbox in parent.parents}
    folders |= {p for p in inbox.rglob("*") if p.is_dir() and p.stat().st_mtime < quiet}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty (a file waits), or not ours to remove
            for leftover in folder.iterdir():
                if leftover.is_file() and leftover.name.lower() in SYSTEM_FILES:
                    leftover.unlink()
            folder.rmdir()


def _take(workspace: Workspace, master: Master, config: Any, as_of: dt.date, path: Path,
          archive_path: Path, sha: str, received: dt.datetime, seen: dict[str, dict[str, Any]],
          summary: RunSummary, checked: Checked | None, reports: AtomicBatch) -> FileResult:
    earlier = master.find_submission(sha) or seen.get(sha)
    name = clerk_name(path)
    relative = str(archive_path.relative_to(workspace.root))
    if earlier is not None:
        feedback, errors, warnings = _duplicate_feedback(workspace, name, archive_path, earlier,
                                                         reports)
        master.add_submission(
            file_name=name, sha256=sha, received_at=received.isoformat(timespec="seconds"),
            run_as_of=as_of.isoformat(), status="duplicate", community=earlier["community"],
            errors=errors, warnings=warnings, archive_path=relative, feedback_path=feedback,
            verdict_json="{}")
        return FileResult(name, sha, "duplicate", errors, warnings, feedback)
    if checked is None:  # skipped as a duplicate that turned out not to be one: read it now
        checked = check_file(archive_path, config, as_of, master)
    verdict: Verdict = checked.verdict
    verdict.file = name
    status = "accepted" if verdict.status == "valid" else "rejected"
    files = write_feedback(workspace, verdict, archive_path if verdict.status != "unreadable"
                           else None, checked.community or config.community_named_in(name)
                           or config.community_named_in(_folders(workspace, path)),
                           reports)
    feedback = str(files.json.relative_to(workspace.root))
    submission = master.add_submission(
        file_name=name, sha256=sha, received_at=received.isoformat(timespec="seconds"),
        run_as_of=as_of.isoformat(), status=status, community=checked.community,
        errors=len(verdict.errors), warnings=len(verdict.warnings), archive_path=relative,
        feedback_path=feedback, verdict_json=json.dumps(verdict.as_json(), ensure_ascii=False))
    if status == "accepted":
        for table in checked.tables:
            count = master.merge(submission, table.ledger, table.sheet, table.frame)
            summary.merged_rows[table.ledger] += count.merged
            summary.replaced_rows[table.ledger] += count.replaced
    summary.findings.update(f.rule for f in verdict.findings)
    if status == "accepted":  # a rejected file's twin later in the run is checked again
        seen[sha] = {"file_name": name, "received_at": received.isoformat(timespec="seconds"),
                     "feedback_path": feedback, "community": checked.community,
                     "verdict_json": json.dumps(verdict.as_json(), ensure_ascii=False)}
    return FileResult(name, sha, status, len(verdict.errors), len(verdict.warnings), feedback)


def _folders(workspace: Workspace, path: Path) -> str:
    """The inbox folders a file came in (龙导/第48周/台账.xlsx: 龙导/第48周), as text."""
    try:
        return "/".join(map(as_text, path.parent.relative_to(workspace.inbox).parts))
    except ValueError:  # not under the inbox
        return ""


def _duplicate_feedback(workspace: Workspace, name: str, archive_path: Path,
                        earlier: dict[str, Any], reports: AtomicBatch) -> tuple[str, int, int]:
    """A file whose bytes came before gets a report of its own (INTERFACE: one for each
    file): the earlier verdict under this file's name, opening with a note that it was
    received already and is not merged again. Its path and its counts of errors and
    warnings, for the run summary (the same as the report says)."""
    try:
        verdict = Verdict.from_json(json.loads(earlier["verdict_json"]))
    except (KeyError, TypeError, ValueError):  # a submission recorded without its verdict
        return str(earlier["feedback_path"]), 0, 0
    verdict.file = name
    received = str(earlier["received_at"])[:16].replace("T", " ")
    verdict.findings.insert(0, Finding("FILE", say(
        "FILE.duplicate", earlier=earlier["file_name"], received=received), severity=WARNING))
    files = write_feedback(workspace, verdict, archive_path if verdict.status != "unreadable"
                           else None, earlier["community"], reports, duplicate=True)
    return str(files.json.relative_to(workspace.root)), len(verdict.errors), len(verdict.warnings)


def _report(out: IO[str], result: FileResult, index: int, total: int) -> None:
    text = {"accepted": say("RUN.accepted"), "rejected": say("RUN.rejected"),
            "duplicate": "重复提交，不再合并"}[result.status]
    line = f"{result.name}：{text}（错误{result.errors}个，提醒{result.warnings}个）"
    if total >= PROGRESS_FROM:
        width = 30
        filled = width * index // total
        line = f"[{'#' * filled}{'.' * (width - filled)}] {index}/{total} {line}"
    print(line, file=out, flush=True)


def _write_summary(workspace: Workspace, summary: RunSummary) -> None:
    text = json.dumps(summary.as_json(), ensure_ascii=False, indent=2)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    with atomic_batch() as batch:
        batch.write_text(workspace.runs / f"{stamp}.json", text)
        batch.write_text(workspace.runs / "latest.json", text)


def _closing_line(summary: RunSummary) -> str:
    counts = Counter(f.status for f in summary.files)
    merged = sum(summary.merged_rows.values())
    return (f"本次运行（{summary.as_of.isoformat()}）：收到{len(summary.files)}个文件，"
            f"接收{counts['accepted']}个，退回{counts['rejected']}个，重复{counts['duplicate']}个；"
            f"合并{merged}行，替换{sum(summary.replaced_rows.values())}行。")
