"""Schemas are the single source of truth: no module under pipeline/ spells a ledger header."""

from __future__ import annotations

import ast
from pathlib import Path

import schemas

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"


def _ledger_names() -> set[str]:
    names = set(schemas.LEDGERS)
    for model in schemas.LEDGERS.values():
        for spec in schemas.field_specs(model):
            names.add(spec.header)
            names.update(spec.alt_headers)
    return names


def _string_constants(path: Path) -> list[tuple[int, str]]:
    """Every str constant of a module. The literal parts of f-strings with placeholders are
    prose around a value (f"{name}社区居委会"), not a header used as a key, and are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    fragments = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                 and any(isinstance(v, ast.FormattedValue) for v in node.values)
                 for part in node.values}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in fragments]


def test_the_check_sees_headers_in_plain_and_f_strings(tmp_path: Path) -> None:
    module = tmp_path / "spelled.py"
    module.write_text('A = "走访登记"\nB = f"{x}社区"\nC = "社区名称"\nD = f"户编号"\n'
                      'E = {"社区": 1}\n', encoding="utf-8")
    found = [value for _, value in _string_constants(module) if value in _ledger_names()]
    assert found == ["走访登记", "户编号", "社区"]


def test_no_pipeline_module_spells_a_ledger_header() -> None:
    names = _ledger_names()
    modules = sorted(PIPELINE.rglob("*.py"))
    assert modules, PIPELINE
    offenders = [
        f"{path.relative_to(PIPELINE.parent)}:{line}: {value!r}"
        for path in modules
        for line, value in _string_constants(path)
        if value in names
    ]
    assert not offenders, "use schemas (field_specs / Model.column) instead of:\n" + "\n".join(
        offenders)
