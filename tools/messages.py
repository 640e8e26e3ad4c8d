"""The English catalogue: extract the Chinese source strings into the .po, compile the .mo,
and check the catalogue. The .po is the only place English lives.

    .venv/bin/python tools/messages.py           `make messages`: extract, compile, check
    .venv/bin/python tools/messages.py --check   CI: check only, write nothing

The check fails on an empty or fuzzy entry, on a translation whose placeholders
(%(name)s, %d, {x}) differ from its source string's, on a .mo that does not hold what the
.po says, and on source strings missing from the .po (or entries no source uses any more).
Extraction needs GNU gettext (xgettext, msgmerge); without it that last comparison is
skipped with a message and `make messages` only compiles. Needs polib (a dev dependency).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "oasis"
PO = SOURCE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages reads: Django's default extensions for the "django" domain, minus the
# rule engine (pure Python, no Django: its labels are rule-set data, not UI strings).
EXTENSIONS = (".py", ".html", ".txt")
IGNORE = ["rules/*"]

# printf-style conversions (python-format) and str.format fields (brace-format).
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
BRACE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

Key = tuple[str, str]  # (msgctxt, msgid)


def key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid)


def by_msgid(k: Key) -> tuple[str, str]:
    return (k[1], k[0])


def rel(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def show(k: Key) -> str:
    ctxt, msgid = k
    return f"{msgid!r}" + (f" (context {ctxt!r})" if ctxt else "")


def placeholders(text: str, python_format: bool) -> tuple[set[str], tuple[str, ...]]:
    """Named placeholders (any order, any number of times), positional ones in order."""
    named: set[str] = set()
    positional: list[str] = []
    if python_format or "%(" in text:
        for m in PERCENT.finditer(text):
            if m["conv"] == "%":
                continue
            if m["name"] is not None:
                named.add(f"%({m['name']}){m['conv']}")
            elif python_format:
                positional.append(f"%{m['conv']}")
    for m in BRACE.finditer(text):
        if m[1] is not None:
            named.add("{" + m[1] + "}")
    return named, tuple(positional)


def entry_problems(entry: polib.POEntry) -> list[str]:
    where = show(key(entry))
    if entry.obsolete:
        return [f"obsolete entry (run `make messages`): {where}"]
    problems = []
    if "fuzzy" in entry.flags:
        problems.append(f"fuzzy (check the English, then delete the '#, fuzzy' line): {where}")
    python_format = "python-format" in entry.flags
    if entry.msgid_plural:
        forms = [entry.msgstr_plural.get(i, "") for i in sorted(entry.msgstr_plural) or [0]]
        sources = [entry.msgid] + [entry.msgid_plural] * (len(forms) - 1)
    else:
        forms, sources = [entry.msgstr], [entry.msgid]
    if any(not form.strip() for form in forms):
        problems.append(f"no English yet: {where}")
        return problems
    for form, source in zip(forms, sources):
        want, got = placeholders(source, python_format), placeholders(form, python_format)
        if want != got:
            problems.append(
                f"placeholders differ: {where} has {_fmt(want)}, the English {form!r} has "
                f"{_fmt(got)}"
            )
    return problems


def _fmt(found: tuple[set[str], tuple[str, ...]]) -> str:
    items = sorted(found[0]) + list(found[1])
    return ", ".join(items) if items else "none"


def catalogue(po: polib.POFile) -> dict[Key, tuple[str, ...]]:
    """What gettext will find: every translated entry, as the .mo stores it."""
    out = {}
    for entry in po.translated_entries():
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            out[key(entry)] = (entry.msgid_plural, *forms)
        else:
            out[key(entry)] = (entry.msgstr,)
    return out


def mo_problems(po: polib.POFile, mo_path: Path) -> list[str]:
    if not mo_path.exists():
        return [f"{rel(mo_path)} is missing: run `make messages`"]
    mo = polib.mofile(str(mo_path))
    want, have = catalogue(po), catalogue(mo)
    stale = sorted(
        (k for k in want.keys() | have.keys() if want.get(k) != have.get(k)), key=by_msgid
    )
    if po.metadata.get("Plural-Forms") != mo.metadata.get("Plural-Forms"):
        stale.insert(0, ("", "(header: Plural-Forms)"))
    if not stale:
        return []
    listed = "".join(f"\n    {show(k)}" for k in stale[:10])
    more = f"\n    … and {len(stale) - 10} more" if len(stale) > 10 else ""
    return [
        f"{rel(mo_path)} does not match the .po in {len(stale)} entries "
        f"(run `make messages`):{listed}{more}"
    ]


def gettext_available() -> bool:
    return all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib"))


def makemessages(source: Path) -> None:
    """Django's makemessages over `source` (a directory holding `locale/`), in-process and
    without the project's settings, so that a copy in a temporary directory writes only
    its own locale directory. New strings arrive empty, never with a guessed ("fuzzy")
    translation. For branches that add strings in parallel: entries are sorted by msgid
    (an entry never moves when code around it changes), locations name files without line
    numbers, and the .po carries no creation date."""
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.commands import makemessages as django_makemessages

    class Command(django_makemessages.Command):
        msgmerge_options = [
            *django_makemessages.Command.msgmerge_options,
            "--no-fuzzy-matching",
            "--sort-output",
        ]

    if not settings.configured:
        settings.configure()
    cwd = Path.cwd()
    os.chdir(source)
    try:
        call_command(
            Command(),
            locale=["en"],
            no_obsolete=True,
            ignore_patterns=IGNORE,
            add_location="file",
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    po = source / PO.relative_to(SOURCE)
    text = po.read_text(encoding="utf-8")
    po.write_text(re.sub(r'"POT-Creation-Date: [^"]*\\n"\n', "", text), encoding="utf-8")


def source_problems(po: polib.POFile, source: Path = SOURCE) -> list[str]:
    """Extract the source strings into a scratch copy and compare them with the .po."""
    with tempfile.TemporaryDirectory(prefix="oasis-messages-") as tmp:
        copy = Path(tmp) / "oasis"
        for path in source.rglob("*"):
            relative = path.relative_to(source)
            if path.suffix in EXTENSIONS and path.is_file() and relative.parts[0] != "rules":
                (copy / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy / relative)
        (copy / "locale").mkdir(parents=True, exist_ok=True)
        makemessages(copy)
        extracted = {key(e) for e in polib.pofile(str(copy / PO.relative_to(SOURCE)))}
    committed = {key(e) for e in po if not e.obsolete}
    problems = [
        f"in the source but not in the .po (run `make messages`): {show(k)}"
        for k in sorted(extracted - committed, key=by_msgid)
    ]
    problems += [
        f"in the .po but no source uses it (run `make messages`): {show(k)}"
        for k in sorted(committed - extracted, key=by_msgid)
    ]
    return problems


def check(po_path: Path = PO, mo_path: Path = MO, *, sources: bool = True) -> list[str]:
    po = polib.pofile(str(po_path))
    problems = [p for entry in po for p in entry_problems(entry)]
    problems += [
        f"obsolete entry (run `make messages`): {show(key(e))}" for e in po.obsolete_entries()
    ]
    problems += mo_problems(po, mo_path)
    if sources:
        if gettext_available():
            problems += source_problems(po)
        else:
            print("SKIPPED: GNU gettext (xgettext) is not installed, so the source strings")
            print("         were not compared with the .po.")
    return problems


def compile_mo(po_path: Path = PO, mo_path: Path = MO) -> None:
    if shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo_path), str(po_path)], check=True)
    else:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check only, write nothing")
    args = parser.parse_args()
    if not args.check:
        if gettext_available():
            makemessages(SOURCE)
        else:
            print("GNU gettext (xgettext) is not installed: new source strings were not")
            print("extracted. Install it (apt-get install gettext) to add strings.")
        compile_mo()
    problems = check(sources=args.check)
    po = polib.pofile(str(PO))
    for problem in problems:
        print(f"{rel(PO)}: {problem}")
    if problems:
        print(f"FAILED: {len(problems)} problems; {len(po)} entries in the catalogue.")
        return 1
    print(f"OK: {len(po)} entries, all in English; the .mo matches the .po.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
