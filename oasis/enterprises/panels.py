"""Sections that apps above enterprises add to the enterprise page (一企一档).

The enterprise page sits below cultivation in the dependency order (pyproject.toml,
[tool.importlinter]), so it cannot ask cultivation for the tier verdict itself. Instead an
app registers a panel in its AppConfig.ready(): a template and a function that returns
the template's context for one firm, already scoped by the user. The page renders the
registered panels in order, after the annual figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oasis.accounts.models import User

from .models import Enterprise

PanelContext = Callable[[User, Enterprise], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: PanelContext


_panels: dict[str, Panel] = {}


def register_panel(*, key: str, template: str, context: PanelContext) -> None:
    """Add a panel (registering the same key again replaces it: ready() may run twice)."""
    _panels[key] = Panel(key=key, template=template, context=context)


def panels_for(*, user: User, enterprise: Enterprise) -> tuple[list[str], dict[str, Any]]:
    """The templates to include, in order, and the context they read."""
    context: dict[str, Any] = {}
    for panel in _panels.values():
        context.update(panel.context(user, enterprise))
    return [p.template for p in _panels.values()], context
