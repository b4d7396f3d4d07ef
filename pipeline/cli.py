"""Command line: parses arguments and maps outcomes to exit codes; the library does the work."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.workspace import Workspace

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_FAILED = 1
EXIT_UNREADABLE = 2
EXIT_LOCKED = 3


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="驻点台账：校验、合并并发布“五定四全”驻点联系群众台账。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    run = commands.add_parser(
        "run", help="the nightly job: validate the inbox, merge into the master, render outbox/")
    run.add_argument("--root", type=Path, default=Path("."), help="workspace folder (default .)")
    run.add_argument("--as-of", type=_date, default=None, help="fix today's date (YYYY-MM-DD)")

    validate = commands.add_parser(
        "validate", help="dry run for a clerk: check workbooks, touch nothing")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    validate.add_argument("--root", type=Path, default=Path("."), help="workspace folder (default .)")
    validate.add_argument("--as-of", type=_date, default=None, help="fix today's date (YYYY-MM-DD)")

    templates = commands.add_parser(
        "templates", help="write blank fill-in workbooks, one per community")
    templates.add_argument("--root", type=Path, default=Path("."), help="workspace folder (default .)")

    demo = commands.add_parser(
        "demo", help="build the 龙凤街道 demo workspace from the seed's figures and run the job")
    demo.add_argument("--root", type=Path, default=Path("demo"), help="demo folder (default demo)")
    demo.add_argument("--as-of", type=_date, default=None, help="fix today's date (YYYY-MM-DD)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"run": _run, "validate": _validate, "templates": _templates, "demo": _demo}
    return handler[args.command](args)


def _validate(args: argparse.Namespace) -> int:
    from pipeline.check import check_files, exit_code, render_text
    from pipeline.store import Master

    workspace = Workspace(args.root)
    master = Master.read_only(workspace.master)
    try:
        verdicts = check_files(args.files, workspace.config(), as_of=args.as_of, master=master)
    finally:
        if master is not None:
            master.close()
    if args.json:
        payload = [v.as_json() for v in verdicts]
        out = payload[0] if len(payload) == 1 else payload
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for verdict in verdicts:
            print(render_text(verdict))
    return exit_code(verdicts)


def _templates(args: argparse.Namespace) -> int:
    from pipeline.fill_templates import write_templates

    workspace = Workspace(args.root)
    written = write_templates(workspace, workspace.config())
    print(f"已生成{len(written)}个填报模板：{workspace.templates}")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from pipeline.demo import run_demo

    return run_demo(Workspace(args.root), as_of=args.as_of, out=sys.stdout)


def _run(args: argparse.Namespace) -> int:
    from pipeline.nightly import PublishFailed, RunLocked, run_nightly

    try:
        run_nightly(Workspace(args.root), as_of=args.as_of, out=sys.stdout)
    except RunLocked as locked:
        print(str(locked), file=sys.stderr)
        return EXIT_LOCKED
    except PublishFailed as failed:  # the outputs failed: the run taken back, and said so
        print(str(failed), file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the run failed; the master is as it was (one transaction)
        print(f"运行失败，数据库保持原样：{exc!r}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
