"""Docs stay honest: every command has help text and appears in the README and Makefile."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def cli_commands() -> dict[str, str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {choice.dest: choice.help or "" for choice in sub._choices_actions}


def test_the_cli_has_exactly_the_commands_of_the_interface() -> None:
    commands = cli_commands()
    assert sorted(commands) == ["demo", "run", "templates", "validate"]
    assert all(commands.values()), commands


def test_every_command_is_in_the_readme_and_has_a_make_target() -> None:
    for command in cli_commands():
        assert f"python -m pipeline {command}" in README or f"`{command}`" in README or \
            re.search(rf"\b{command}\b", README), command
        assert f"make {command}" in README, command
        assert re.search(rf"^{command}: .*## ", MAKEFILE, re.M), command


def test_make_help_lists_the_front_door_targets() -> None:
    out = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    targets = re.findall(r"make (\S+)", out)
    for target in ("setup", "run", "demo", "templates", "validate", "test", "check", "clean",
                   "bench"):
        assert target in targets, target
        if target not in ("setup", "clean", "check"):
            assert f"make {target}" in README, target


def test_readme_puts_the_two_newcomer_commands_at_the_top() -> None:
    top = README[: README.index("## 日常使用")]
    assert "make demo" in top and "make test" in top


def test_each_command_prints_help() -> None:
    for command in cli_commands():
        proc = subprocess.run([sys.executable, "-m", "pipeline", command, "--help"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and "usage:" in proc.stdout, command


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == "make test"
    assert "make test" in README


def test_a_command_given_wrong_is_answered_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline import cli
    with pytest.raises(SystemExit) as stopped:
        cli.main(["validate"])  # `make validate` without FILE=
    assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert "命令有误：缺少参数: FILE" in said and "required" not in said
