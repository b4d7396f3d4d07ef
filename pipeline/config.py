"""The workspace configuration: the street, its communities and leaders, and policy numbers."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")
CONFIG_NAME = "config.toml"

# Guard limits for untrusted workbooks (see pipeline/guard.py).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767      # Excel's own limit for one cell
MAX_ZIP_MEMBERS = 10_000
WORKER_MEMORY_BYTES = 3 * 1024**3
WORKER_TIMEOUT_SECONDS = 120
# Rendering the outputs of a whole district (trusted data, no memory cap).
PUBLISH_TIMEOUT_SECONDS = 1800
# Workbooks read at once by `run` and `validate` (each in its own worker): one per core.
PARSE_WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
    os.cpu_count() or 1)


@dataclass(frozen=True)
class Policy:
    stationing_weekday: int = 2
    min_stationing_hours: float = 3.5
    notice_lead_days: int = 1
    team_size_min: int = 5
    team_size_max: int = 10
    communities_per_leader_min: int = 1
    communities_per_leader_max: int = 3
    feedback_overdue_days: int = 15
    due_soon_days: int = 2
    seriously_overdue_days: int = 5


@dataclass(frozen=True)
class Leader:
    name: str
    communities: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    street: str
    district: str
    leaders: tuple[Leader, ...]
    policy: Policy = field(default_factory=Policy)

    @property
    def communities(self) -> tuple[str, ...]:
        return tuple(c for leader in self.leaders for c in leader.communities)

    def leader_of(self, community: str) -> str | None:
        return next((lead.name for lead in self.leaders if community in lead.communities), None)

    def community_called(self, name: str) -> str | None:
        """The community `name` means: itself, or with 社区 (居委会…) added or taken off
        (龙导社区 for 龙导); None when it is none of the street's."""
        if name in self.communities:
            return name
        stem = re.sub(r"(社区)?(居民委员会|居委会)?$", "", name)
        return next((c for c in (stem, f"{stem}社区") if stem and c in self.communities), None)

    def community_named_in(self, text: str) -> str | None:
        """The one community `text` (a file name) names, if it names exactly one: a file
        that could not be read still has its report where its clerk looks."""
        named = {c for c in self.communities if c in text}
        named = {c for c in named if not any(c != other and c in other for other in named)}
        return named.pop() if len(named) == 1 else None


def load_config(root: Path | None = None) -> Config:
    """Read `root/config.toml`, or the bundled default when the workspace has none."""
    path = root / CONFIG_NAME if root is not None else None
    if path is None or not path.exists():
        path = DEFAULT_CONFIG
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    known = set(Policy.__dataclass_fields__)
    policy = Policy(**{k: v for k, v in raw.get("policy", {}).items() if k in known})
    leaders = tuple(
        Leader(name=item["name"], communities=tuple(item.get("communities", [])))
        for item in raw.get("leaders", [])
    )
    street = raw.get("street", {})
    return Config(
        street=street.get("name", ""), district=street.get("district", ""), leaders=leaders,
        policy=policy,
    )
