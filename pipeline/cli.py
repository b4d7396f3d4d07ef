"""Command line: parses arguments and maps outcomes to exit codes; the library does the work."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pipeline.workspace import Workspace

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_FAILED = 1
EXIT_UNREADABLE = 2
EXIT_LOCKED = 3
EXIT_USAGE = 2  # argparse's own


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


class _Parser(argparse.ArgumentParser):
    """argparse speaking Chinese where a clerk meets it: `make validate` without a file."""

    SAID = {"the following arguments are required": "缺少参数",
            "unrecognized arguments": "不认识的参数",
            "invalid choice": "没有这个命令或选项",
            "expected one argument": "后面需要一个值"}

    def error(self, message: str) -> NoReturn:
        for english, chinese in self.SAID.items():
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"命令有误：{message}。用 --help 查看用法，如 "
                              f"python -m pipeline validate 龙导_第48周.xlsx\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pipeline",
        description="驻点台账：校验、合并并发布“五定四全”驻点联系群众台账。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    run = commands.add_parser(
        "run", help="夜间任务：核对收件箱中的台账，合并进总台账，生成outbox中的全部输出")
    run.add_argument("--root", type=Path, default=Path("."), help="工作区目录（默认当前目录）")
    run.add_argument("--as-of", type=_date, default=None, help="指定“今天”的日期（YYYY-MM-DD），便于复现")

    validate = commands.add_parser(
        "validate", help="给社区填报员试检：检查台账文件，不改动任何东西")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE",
                          help="要检查的台账文件（.xlsx），可以一次给多个")
    validate.add_argument("--json", action="store_true", help="以JSON输出检查结果")
    validate.add_argument("--root", type=Path, default=Path("."), help="工作区目录（默认当前目录）")
    validate.add_argument("--as-of", type=_date, default=None, help="指定“今天”的日期（YYYY-MM-DD），便于复现")

    templates = commands.add_parser(
        "templates", help="为每个社区生成空白填报模板")
    templates.add_argument("--root", type=Path, default=Path("."), help="工作区目录（默认当前目录）")

    demo = commands.add_parser(
        "demo", help="用种子统计表的数字生成龙凤街道演示工作区并完整运行一次")
    demo.add_argument("--root", type=Path, default=Path("demo"), help="演示工作区目录（默认 demo）")
    demo.add_argument("--as-of", type=_date, default=None, help="指定“今天”的日期（YYYY-MM-DD），便于复现")
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
