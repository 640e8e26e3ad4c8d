"""The English catalogue (tools/messages.py): the committed .po and .mo pass its check, and
the check catches what it promises to catch."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("oasis_tools_messages", ROOT / "tools/messages.py")
assert _spec and _spec.loader
messages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(messages)

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: Oasis\\n"
"Language: en\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


def _catalogue(tmp_path: Path, body: str) -> tuple[Path, Path]:
    po = tmp_path / "django.po"
    po.write_text(HEADER + body, encoding="utf-8")
    mo = tmp_path / "django.mo"
    messages.polib.pofile(str(po)).save_as_mofile(str(mo))  # msgfmt would refuse bad ones
    return po, mo


def test_the_committed_catalogue_passes():
    """Every entry in English, placeholders kept, .mo compiled from this .po. (CI also
    compares the .po with the source strings: `tools/messages.py --check`.)"""
    assert messages.check(sources=False) == []


def test_a_complete_catalogue_passes(tmp_path):
    po, mo = _catalogue(
        tmp_path,
        """#, python-format
msgid "第 %(n)s / %(total)s 页"
msgstr "Page %(n)s of %(total)s"

#, python-format
msgid "%(n)s 家"
msgid_plural "%(n)s 家"
msgstr[0] "%(n)s enterprise"
msgstr[1] "%(n)s enterprises"

msgctxt "action"
msgid "提前终止"
msgstr "Terminate early"

msgid "第{row}行：{error}"
msgstr "Row {row}: {error}"

msgid "出租率 100%"
msgstr "Occupancy 100%"
""",
    )
    assert messages.check(po, mo, sources=False) == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('msgid "保存"\nmsgstr ""\n', "no English yet: '保存'"),
        (
            '#, fuzzy\nmsgid "保存"\nmsgstr "Save"\n',
            "fuzzy (check the English, then delete the '#, fuzzy' line): '保存'",
        ),
        (
            '#, python-format\nmsgid "%(n)s 家"\nmsgid_plural "%(n)s 家"\n'
            'msgstr[0] "one enterprise"\nmsgstr[1] ""\n',
            "no English yet: '%(n)s 家'",
        ),
        (
            '#, python-format\nmsgid "第 %(n)s 页"\nmsgstr "Page %(page)s"\n',
            "placeholders differ: '第 %(n)s 页' has %(n)s, the English 'Page %(page)s' has "
            "%(page)s",
        ),
        (
            '#, python-format\nmsgid "请%(minutes)d分钟后再试。"\nmsgstr "Try again later."\n',
            "placeholders differ: '请%(minutes)d分钟后再试。' has %(minutes)d, the English "
            "'Try again later.' has none",
        ),
        (
            '#, python-format\nmsgid "%d 行"\nmsgstr "%s rows"\n',
            "placeholders differ: '%d 行' has %d, the English '%s rows' has %s",
        ),
        (
            'msgid "第{row}行"\nmsgstr "Row {line}"\n',
            "placeholders differ: '第{row}行' has {row}, the English 'Row {line}' has {line}",
        ),
        (
            'msgctxt "label"\nmsgid "交付"\nmsgstr ""\n',
            "no English yet: '交付' (context 'label')",
        ),
    ],
)
def test_a_bad_entry_is_named(tmp_path, entry, problem):
    po, mo = _catalogue(tmp_path, 'msgid "取消"\nmsgstr "Cancel"\n\n' + entry)
    assert messages.check(po, mo, sources=False) == [problem]


def test_a_stale_mo_is_refused(tmp_path):
    po, mo = _catalogue(tmp_path, 'msgid "取消"\nmsgstr "Cancel"\n\nmsgid "保存"\nmsgstr "Save"\n')
    po.write_text(po.read_text(encoding="utf-8").replace('"Save"', '"Keep"'), encoding="utf-8")
    [problem] = messages.check(po, mo, sources=False)
    assert "does not match the .po in 1 entries" in problem
    assert "'保存'" in problem


def test_a_missing_mo_is_refused(tmp_path):
    po, mo = _catalogue(tmp_path, 'msgid "取消"\nmsgstr "Cancel"\n')
    mo.unlink()
    [problem] = messages.check(po, mo, sources=False)
    assert problem.endswith("is missing: run `make messages`")


@pytest.mark.skipif(not messages.gettext_available(), reason="GNU gettext is not installed")
def test_source_strings_missing_from_the_po_are_named(tmp_path, settings):
    settings.LOCALE_PATHS = []
    source = tmp_path / "src"
    (source / "app" / "templates").mkdir(parents=True)
    (source / "app" / "views.py").write_text(
        'from django.utils.translation import gettext as _\n\nOK = _("取消")\nNEW = _("新字符串")\n',
        encoding="utf-8",
    )
    (source / "app" / "templates" / "page.html").write_text(
        '{% load i18n %}{% translate "交付" context "label" %}', encoding="utf-8"
    )
    po, _mo = _catalogue(
        tmp_path, 'msgid "取消"\nmsgstr "Cancel"\n\nmsgid "旧字符串"\nmsgstr "Old"\n'
    )
    assert messages.source_problems(messages.polib.pofile(str(po)), source=source) == [
        "in the source but not in the .po (run `make messages`): '交付' (context 'label')",
        "in the source but not in the .po (run `make messages`): '新字符串'",
        "in the .po but no source uses it (run `make messages`): '旧字符串'",
    ]
    assert not (source / "locale").exists(), "the check writes only into its scratch copy"


def test_without_gettext_the_source_comparison_is_skipped_with_a_message(
    tmp_path, monkeypatch, capsys
):
    po, mo = _catalogue(tmp_path, 'msgid "取消"\nmsgstr "Cancel"\n')
    monkeypatch.setattr(messages.shutil, "which", lambda tool: None)
    assert messages.check(po, mo) == []
    assert "SKIPPED: GNU gettext (xgettext) is not installed" in capsys.readouterr().out


# Imports every module of the project in a fresh interpreter, recording each translation
# that project code makes while it is imported (module-level `_()`, class attributes,
# default arguments, a lazy string forced by a `str()` or `%`). Such a string is frozen in
# the language active at import (Chinese) and an English user would get it in Chinese.
# Lazy strings that Django itself looks at while building a model class are not frozen.
_IMPORT_PROBE = r"""
import importlib, json, os, pkgutil, sys, traceback
os.environ["DJANGO_SETTINGS_MODULE"] = "oasis.settings"
from django.utils import translation
from django.utils.translation import trans_real

root = os.path.dirname(os.path.abspath(__import__("oasis").__file__)) + os.sep
passing = ("django/utils/translation/__init__.py", "django/utils/functional.py")
found = []

def probe(name):
    real = getattr(trans_real, name)
    def record(*args, **kwargs):
        for frame in reversed(traceback.extract_stack()[:-1]):
            if frame.filename.endswith(passing):
                continue
            if frame.filename.startswith(root):
                path = frame.filename[len(root) - len("oasis/"):]
                found.append(f"{path}:{frame.lineno}: {frame.line}")
            break
        return real(*args, **kwargs)
    setattr(translation._trans, name, record)

for name in ("gettext", "ngettext", "pgettext", "npgettext"):
    probe(name)
import django
django.setup()
import oasis
for module in pkgutil.walk_packages(oasis.__path__, "oasis."):
    if not (".tests" in module.name or ".migrations" in module.name):
        importlib.import_module(module.name)
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted(set(found))))
"""


def test_nothing_is_translated_at_import_time():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
