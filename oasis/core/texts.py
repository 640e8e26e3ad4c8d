"""Text the platform itself writes into a record: a ticket's "已受理，处理人：李服务", a
lead's "从公海认领", an adjustment bill's "提前终止于 2026-05-31".

Such a text is stored twice. As the record's text, in the default language: what the API,
exports and /admin/ show, the same whoever's action wrote it. And as its source, the
Chinese source string (marked with `gettext_noop`, so it is in the .po) with its values,
from which a page renders it in the reader's language. Storing the text as rendered for
the writer would show a Chinese reader the English of whoever clicked, and the other way
round.

    body, body_source = written(gettext_noop("已受理，处理人：%(name)s"), name=str(officer))
    ...
    {{ message.text }}   # shown(self.body, self.body_source), in the reader's language
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

TextSource = dict[str, Any]  # {"msgid": the Chinese source string, "values": {name: text}}


def written(msgid: str, **values: str | int) -> tuple[str, TextSource]:
    """The text in the default language and the source to store beside it. `msgid` is a
    `gettext_noop` string; its placeholders are named (%(name)s)."""
    source: TextSource = {"msgid": msgid, "values": values}
    with translation.override(settings.LANGUAGE_CODE):
        return _render(source), source


def shown(text: str, source: TextSource | None) -> str:
    """The record's text in the active language: rendered from its source when it has
    one (a record written before sources were kept shows its stored text)."""
    return _render(source) if source else text


def _render(source: TextSource) -> str:
    message = gettext(source["msgid"])
    values = source.get("values") or {}
    return message % values if values else message
