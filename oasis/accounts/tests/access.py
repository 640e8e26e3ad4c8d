"""Access checks every app's tests share: a user who may not change something is refused
on every page and endpoint that would, and nothing is saved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model
from django.test import Client

PageWrite = tuple[str, dict[str, Any]]  # url, form data
ApiWrite = tuple[str, str, dict[str, Any]]  # method, url, JSON body


def table_rows(models: Iterable[type[Model]]) -> list[list[tuple[Any, ...]]]:
    """Every row of `models`, in order: compare before and after to see that nothing moved."""
    return [list(m._default_manager.order_by("pk").values_list()) for m in models]


def assert_writes_refused(
    client: Client,
    *,
    pages: Sequence[PageWrite],
    apis: Sequence[ApiWrite] = (),
    status: int,
    models: Sequence[type[Model]],
) -> None:
    """Each page (GET and POST) and each API write answers `status`, and no row of
    `models` changed."""
    before = table_rows(models)
    for url, data in pages:
        assert client.get(url).status_code == status, url
        assert client.post(url, data).status_code == status, url
    for method, url, data in apis:
        r = getattr(client, method)(url, data, content_type="application/json")
        assert r.status_code == status, (url, r.status_code)
    assert table_rows(models) == before
