"""Nothing but the two table functions writes a status (DESIGN.md): applications/workflow.py for
applications, issuance/lifecycle.py for cards."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["accounts", "applications", "issuance", "sbcard", "partners", "notices", "rosters", "dashboards"]
ALLOWED = {ROOT / "applications" / "workflow.py", ROOT / "issuance" / "lifecycle.py"}


def python_files():
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path


def status_writes(tree: ast.AST):
    """Assignments to `<x>.status`, and `status=` passed to .update() / .create() / bulk_update."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    yield node.lineno
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("update", "update_or_create", "bulk_update"):
                if any(keyword.arg == "status" for keyword in node.keywords):
                    yield node.lineno
                if node.func.attr == "bulk_update" and any(
                    isinstance(arg, ast.List) and any(getattr(e, "value", None) == "status" for e in arg.elts)
                    for arg in node.args
                ):
                    yield node.lineno


def test_only_the_workflow_writes_the_application_status():
    offenders = []
    for path in python_files():
        if path in ALLOWED:
            continue
        source = path.read_text(encoding="utf-8")
        for line in status_writes(ast.parse(source)):
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], "status written outside applications/workflow.py (or the card table): " + ", ".join(
        offenders
    )


def test_the_scanner_finds_a_status_write():
    # The check above must be able to fail.
    assert list(status_writes(ast.parse("application.status = 'collected'")))
    assert list(status_writes(ast.parse("CardApplication.objects.filter(pk=1).update(status='x')")))
