"""The folders of a workspace (INTERFACE.md); a missing folder is created on first use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config, load_config


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def public(self) -> Path:
        return self.outbox / "public"

    @property
    def internal(self) -> Path:
        return self.outbox / "internal"

    @property
    def feedback(self) -> Path:
        return self.outbox / "feedback"

    @property
    def templates(self) -> Path:
        return self.outbox / "templates"

    @property
    def runs(self) -> Path:
        return self.internal / "runs"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def master(self) -> Path:
        return self.data / "master.sqlite"

    def config(self) -> Config:
        return load_config(self.root)

    def ensure(self) -> Workspace:
        for folder in (self.inbox, self.public, self.internal, self.feedback, self.runs,
                       self.archive, self.data):
            folder.mkdir(parents=True, exist_ok=True)
        return self
