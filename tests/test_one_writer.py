"""Each table has one writer (STYLE.md, DESIGN.md): a status column only the status engine (sbcard/statemachine.py,
applying its app's table), every other table only the code of the app that owns it. A scan of the source,
so that no path escapes for want of a test: ORM writes (`.update()` — with `**changes` too —, `.create()`,
`.bulk_create()`, `.bulk_update()`, `.delete()`, `get_or_create`, `update_or_create`, an instance's `.save()`),
COPY and INSERT … SELECT through sbcard.bulk, and raw SQL (INSERT, UPDATE, DELETE, COPY).

The demo data and the benchmarks (demo/, bench/) are scaffolding above every app: they are not scanned.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
APPS = ["sbcard", "partners", "audit", "accounts", "notices", "applications", "issuance", "rosters", "dashboards"]
ENGINE = ROOT / "sbcard" / "statemachine.py"
ORM_WRITES = {"update", "create", "bulk_create", "bulk_update", "delete", "get_or_create", "update_or_create"}
INSTANCE_WRITES = {"save", "delete"}
BULK_WRITERS = {"insert_rows", "insert_select"}
SQL_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+\"?(\w+)\"?", re.IGNORECASE)
SQL_STATUS_WRITE = re.compile(
    r"\bUPDATE\b[^;]*\bSET\b[^;]*\bstatus\s*=|INSERT\s+INTO\b[^;(]*\([^)]*\bstatus\b", re.I | re.S
)


def source_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield app, path


def owners() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """For the project's own models: class name -> owning app, table -> owning app, class name -> table."""
    by_name, by_table, table_of = {}, {}, {}
    for model in apps.get_models():
        app = model._meta.app_label
        if app in APPS:
            by_name[model.__name__] = app
            by_table[model._meta.db_table] = app
            table_of[model.__name__] = model._meta.db_table
    return by_name, by_table, table_of


def imported_models(tree: ast.Module, by_name: dict[str, str]) -> dict[str, str]:
    """Names this module binds to a model class -> the app that owns it."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in by_name:
                    names[alias.asname or alias.name] = by_name[alias.name]
        if isinstance(node, ast.ClassDef) and node.name in by_name:
            names[node.name] = by_name[node.name]
    return names


def _root_name(node) -> str | None:
    """The name a chain like `Model.objects.filter(...).update` starts from."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def _through_manager(node) -> bool:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _sql_strings(tree: ast.Module):
    """(line, text) of every string literal, f-strings with `{Model._meta.db_table}` spelled as the table."""
    _by_name, _by_table, table_of = owners()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    parts.append(str(value.value))
                elif isinstance(value, ast.FormattedValue):
                    root = _root_name(value.value)
                    parts.append(table_of.get(root, "?"))
            yield node.lineno, "".join(parts)


def writes_of_other_apps(app: str, tree: ast.Module) -> list[tuple[int, str]]:
    by_name, by_table, _table_of = owners()
    models = imported_models(tree, by_name)
    found = []
    for function in [tree, *[n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]]:
        # instances made or fetched from a model in this function: name -> owner
        instances = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                root = _root_name(node.value)
                if root in models and isinstance(node.value, ast.Call):
                    instances[node.targets[0].id] = models[root]
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                root = _root_name(func.value)
                owner = models.get(root)
                if func.attr in ORM_WRITES and owner and owner != app and _through_manager(func.value):
                    found.append((node.lineno, f"{root}.objects….{func.attr}() writes {owner}'s table"))
                elif func.attr in INSTANCE_WRITES and isinstance(func.value, ast.Name):
                    owner = instances.get(func.value.id)
                    if owner and owner != app:
                        found.append((node.lineno, f"{func.value.id}.{func.attr}() writes {owner}'s table"))
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in BULK_WRITERS and node.args:
                owner = models.get(_root_name(node.args[0]))
                if owner and owner != app:
                    found.append((node.lineno, f"{name}({_root_name(node.args[0])}) writes {owner}'s table"))
    for line, text in _sql_strings(tree):
        for table in SQL_WRITE.findall(text):
            owner = by_table.get(table)
            if owner and owner != app:
                found.append((line, f"SQL writes {table}, {owner}'s table"))
    return sorted(set(found))


def status_writes(tree: ast.AST):
    """Assignments to `<x>.status`; `status=` or `**changes` passed to .update() and friends; bulk writers
    given a status column; SQL that sets a status."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    yield node.lineno
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("update", "update_or_create", "bulk_update"):
            if any(keyword.arg == "status" for keyword in node.keywords):
                yield node.lineno
            passes_on = isinstance(func.value, ast.Call) and getattr(func.value.func, "id", "") == "super"
            if func.attr == "update" and any(keyword.arg is None for keyword in node.keywords) and not passes_on:
                yield node.lineno  # .update(**changes): what it writes cannot be read here
            if func.attr == "bulk_update" and any(
                isinstance(arg, ast.List) and any(getattr(e, "value", None) == "status" for e in arg.elts)
                for arg in node.args
            ):
                yield node.lineno
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in BULK_WRITERS:
            given = [*node.args[1:2], *[k.value for k in node.keywords if k.arg in ("expressions", "constants")]]
            for value in given:
                keys = value.elts if isinstance(value, ast.Tuple | ast.List) else getattr(value, "keys", [])
                if any(getattr(key, "value", None) == "status" for key in keys):
                    yield node.lineno
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATUS_WRITE.search(node.value):
            yield node.lineno


def test_only_the_status_engine_writes_a_status():
    offenders = []
    for _app, path in source_files():
        if path == ENGINE:
            continue
        for line in status_writes(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], "a status written outside sbcard/statemachine.py: " + ", ".join(offenders)


@pytest.mark.django_db
def test_each_app_is_the_only_writer_of_its_tables():
    offenders = []
    for app, path in source_files():
        for line, what in writes_of_other_apps(app, ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert offenders == [], "\n".join(["another app's table written:", *offenders])


def test_the_scans_find_each_kind_of_write():
    # The checks above must be able to fail: one example of each kind of write they look for.
    assert list(status_writes(ast.parse("application.status = 'collected'")))
    assert list(status_writes(ast.parse("CardApplication.objects.filter(pk=1).update(status='x')")))
    assert list(status_writes(ast.parse("CardApplication.objects.filter(pk=1).update(**changes)")))
    assert list(status_writes(ast.parse("insert_rows(Card, ('number', 'status'), rows)")))
    assert list(status_writes(ast.parse("insert_select(Card, expressions={'status': 'r.s'}, constants={})")))
    assert list(status_writes(ast.parse("cursor.execute('UPDATE issuance_card SET status = %s')")))
    assert not list(status_writes(ast.parse("Card.objects.filter(status='active').update(swipe_limit=2)")))


@pytest.mark.django_db
def test_the_scan_finds_writes_to_another_apps_table():
    writes = [
        "from applications.models import Person\nPerson.objects.filter(pk=1).update(name='x')",
        "from applications.models import Person\ndef f():\n    p = Person.objects.get(pk=1)\n    p.save()",
        "from applications.models import Person\ninsert_rows(Person, ('name',), [])",
        "from applications.models import Person\ncursor.execute(f'UPDATE {Person._meta.db_table} SET name = 1')",
        "cursor.execute('DELETE FROM applications_person')",
    ]
    for source in writes:
        assert writes_of_other_apps("rosters", ast.parse(source)), source
    reads = "from applications.models import Person\nPerson.objects.filter(pk=1).exists()"
    assert writes_of_other_apps("rosters", ast.parse(reads)) == []
    assert writes_of_other_apps("applications", ast.parse(writes[0])) == []
