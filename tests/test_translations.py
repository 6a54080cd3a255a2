"""Every user-facing string is translatable, and the committed Chinese message file covers all of them."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry but the header; plural forms use msgstr[0]."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        text = "\n".join(line for line in lines if not line.startswith("#"))
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', text, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', text, re.M)
        if not msgid or not msgstr:
            continue
        join = lambda chunk: "".join(re.findall(r'"(.*)"', chunk))  # noqa: E731
        if join(msgid.group(1)):
            entries.append((join(msgid.group(1)), join(msgstr.group(1)), fuzzy))
    return entries


def test_every_chinese_message_is_translated_and_keeps_its_placeholders():
    entries = parse_po(PO_FILE)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []
    for msgid, msgstr, _fuzzy in entries:
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(re.findall(r"%\(\w+\)[sd]", msgstr)), msgid


def test_the_compiled_file_is_up_to_date():
    mo = PO_FILE.with_suffix(".mo")
    assert mo.exists()
    assert mo.stat().st_size > 1000


def test_no_string_in_the_code_is_missing_from_the_message_file(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext (xgettext) is needed to check the message files")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "test-artifacts", "__pycache__", "*.sqlite3", "node_modules"
        ),
    )
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "sbcard.settings", "VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
            "--ignore",
            "conftest.py",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {msgid for msgid, _msgstr, _fuzzy in parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")}
    committed = {msgid: msgstr for msgid, msgstr, fuzzy in parse_po(PO_FILE) if msgstr and not fuzzy}
    missing = sorted(fresh - set(committed))
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing[:10])
