"""The main window's views: names, modules and factories.

Each view's module is imported when the view is first needed (start-up time); start-up imports
the first view's heavier dependencies one per event-loop turn before the view itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext

# (key, label, icon, shortcut); the key names the view in QSettings.
VIEWS = (
    ("keys", "Keys", "keys", "Ctrl+1"),
    ("build", "Build", "build", "Ctrl+2"),
    ("inspect", "Inspect", "inspect", "Ctrl+3"),
    ("export", "Export", "export", "Ctrl+4"),
    ("audit", "Audit", "audit", "Ctrl+5"),
    ("revocation", "Revocation", "revocation", "Ctrl+6"),
    ("checklist", "Checklist", "checklist", "Ctrl+7"),
)


VIEW_MODULES = {key: f"jwtdesk.gui.views.{key}.view" for key, *_ in VIEWS}
VIEW_DEPENDENCIES = {
    "keys": (
        "jwtdesk.gui.widgets.badge",
        "jwtdesk.services",
        "jwtdesk.gui.models.keys",
        "jwtdesk.gui.views.keys.details",
        "jwtdesk.gui.views.keys.actions",
    ),
}


def keys_view(
    ctx: AppContext, clipboard: ClipboardGuard, reveal_ms: int | None, load: Callable[[], bool]
) -> QWidget:
    from jwtdesk.gui.views.keys.view import KeysView

    timeout = {} if reveal_ms is None else {"reveal_timeout_ms": reveal_ms}
    return KeysView(ctx, None, clipboard, load=load(), **timeout)


def build_view(ctx: AppContext, clipboard: ClipboardGuard) -> QWidget:
    from jwtdesk.gui.views.build.view import BuildView

    return BuildView(ctx, None, clipboard)


def inspect_view(ctx: AppContext) -> QWidget:
    from jwtdesk.gui.views.inspect.view import InspectView

    return InspectView(ctx, None)


def export_view(ctx: AppContext, clipboard: ClipboardGuard) -> QWidget:
    from jwtdesk.gui.views.export.view import ExportView

    return ExportView(ctx, None, clipboard)


def audit_view(ctx: AppContext, clipboard: ClipboardGuard, reveal_ms: int | None) -> QWidget:
    from jwtdesk.gui.views.audit.view import AuditView

    timeout = {} if reveal_ms is None else {"reveal_timeout_ms": reveal_ms}
    return AuditView(ctx, None, clipboard, **timeout)


def revocation_view(ctx: AppContext) -> QWidget:
    from jwtdesk.gui.views.revocation.view import RevocationView

    return RevocationView(ctx, None)


def checklist_view(ctx: AppContext) -> QWidget:
    from jwtdesk.gui.views.checklist.view import ChecklistView

    return ChecklistView(ctx, None)
