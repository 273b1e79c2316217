"""The layers of DESIGN §2 hold: Qt only in desktop/ui, the UI only through Session."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            prefix = "." * node.level
            names.add(prefix + node.module)
    return names


def _modules(under: Path) -> list[Path]:
    files = sorted(under.rglob("*.py"))
    assert files, f"no modules found under {under}"
    return files


def test_only_the_ui_imports_pyside6() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in _modules(PACKAGE)
        if PACKAGE / "ui" not in path.parents
        and any(name.split(".")[0] == "PySide6" for name in _imports(path))
    ]
    assert offenders == []


def test_the_ui_never_reaches_into_the_store() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in _modules(PACKAGE / "ui")
        if any(name.startswith(("desktop.store", "..store")) for name in _imports(path))
    ]
    assert offenders == []


FORBIDDEN_IN_DOMAIN = {"sqlite3", "sqlcipher3", "subprocess", "socket", "desktop.store"}
OUTER_LAYERS = ("desktop.session", "desktop.ui", "desktop.cli")


def test_domain_does_no_io_and_knows_no_outer_layer() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in _modules(PACKAGE / "domain")
        if any(n in FORBIDDEN_IN_DOMAIN or n.startswith(OUTER_LAYERS) for n in _imports(path))
    ]
    assert offenders == []


def test_store_does_not_depend_on_the_session_or_ui() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in _modules(PACKAGE / "store")
        if any(name.startswith(OUTER_LAYERS) for name in _imports(path))
    ]
    assert offenders == []


def test_reports_do_not_depend_on_the_session_or_ui() -> None:
    """Reports are built from what the session hands them (DESIGN §2); the session uses them."""
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in _modules(PACKAGE / "reports")
        if any(name.startswith(OUTER_LAYERS) for name in _imports(path))
    ]
    assert offenders == []
