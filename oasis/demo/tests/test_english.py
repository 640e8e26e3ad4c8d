"""English for English users: no Chinese interface text in the sources that make pages.

Templates keep Chinese only inside translation tags; our scripts carry no words of their
own (they take them, translated, from the page)."""

from __future__ import annotations

import re
from pathlib import Path

# Ideographs, CJK punctuation (、。【】) and full-width forms (：，（）). Not the CJK
# compatibility block: "㎡" reads the same in English.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")


TRANSLATED = re.compile(
    r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}"
    r"|\{%\s*translate\s.*?%\}"
    r"|\{#.*?#\}"
    r"|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r'|_\("[^"]*"\)'  # a filter argument: {{ x|default:_("公海") }}
    r"|<[^>]*\blang=\"zh[^>]*>[^<]*",  # the language switch's "中文"
    re.S,
)
JS_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
JS_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|`(?:[^`\\]|\\.)*`")
OASIS = Path(__file__).resolve().parents[2]


def _blank(m: re.Match[str]) -> str:
    """The match as spaces, its line breaks kept (so line numbers stay right)."""
    return re.sub(r"[^\n]", " ", m.group())


def test_templates_have_no_chinese_outside_translation_tags():
    """Every template, whatever data it is given: Chinese only inside {% translate %},
    {% blocktranslate %}, _("…") filter arguments and comments."""
    untranslated = [
        f"{path.relative_to(OASIS)}:{text[: m.start()].count(chr(10)) + 1}: {m.group()}"
        for path in sorted(OASIS.rglob("templates/**/*.html"))
        for text in [TRANSLATED.sub(_blank, path.read_text(encoding="utf-8"))]
        for m in CJK.finditer(text)
    ]
    assert untranslated == []


def test_our_javascript_has_no_chinese_strings():
    """Scripts take their words from the page (translated there), never their own."""
    untranslated = [
        f"{path.relative_to(OASIS)}: {m.group()}"
        for path in sorted((OASIS / "static" / "oasis").glob("*.js"))
        for m in JS_STRING.finditer(JS_COMMENT.sub(_blank, path.read_text(encoding="utf-8")))
        if CJK.search(m.group())
    ]
    assert untranslated == []
