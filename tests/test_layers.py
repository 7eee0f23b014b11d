"""The GUI reaches the store only through service methods.

lint-imports forbids ``jwtdesk.gui`` importing ``jwtdesk.store``, but a view can still reach the
store through a service's attributes (``ctx.keys.index.home``, ``keys.vault.check()``) without
importing anything. This test reads the services to learn which of their attributes hold store
objects (an ``Index``, a ``Vault``, an ``AuditLog``…) and which hold other services, then walks
the syntax tree of every GUI module and fails on any such attribute read through a service.
There are no exemptions: give the service a method instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jwtdesk"
SERVICES = PACKAGE / "services"
GUI = PACKAGE / "gui"


class Facts(NamedTuple):
    classes: frozenset[str]  # the service classes
    store_attrs: frozenset[str]  # attributes of a service that hold a store object
    held_services: frozenset[str]  # attributes of a service that hold another service
    context_services: frozenset[str]  # AppContext properties that return a service


def _names(node: ast.AST | None) -> set[str]:
    """Every identifier in an annotation or expression (``Vault | None`` -> {Vault})."""
    if node is None:
        return set()
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found |= {part.strip() for part in sub.value.replace("|", " ").split()}
    return found


def _store_names(tree: ast.Module) -> set[str]:
    """Names a services module imports from ``jwtdesk.store`` (at any depth)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jwtdesk.store"):
            out |= {alias.asname or alias.name for alias in node.names}
    return out


def _service_classes(trees: list[ast.Module]) -> set[str]:
    return {
        node.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name.endswith("Service")
    }


def _self_assignments(cls: ast.ClassDef) -> Iterator[tuple[str, ast.AST | None, ast.AST]]:
    """(attribute, annotation, value) of every ``self.x = …`` / ``self.x: T = …`` in a class."""
    for node in ast.walk(cls):
        yield from _assignments_to_self(node)


def _params(cls: ast.ClassDef) -> dict[str, set[str]]:
    """The annotation names of every parameter of the class's methods, by parameter name."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef):
            for arg in node.args.args + node.args.kwonlyargs:
                out.setdefault(arg.arg, set()).update(_names(arg.annotation))
    return out


def _kinds(value: ast.AST, annotation: ast.AST | None, params: dict[str, set[str]]) -> set[str]:
    """The type names an assigned value may have: its annotation, the constructors it calls,
    and the annotations of the parameters it names."""
    kinds = _names(annotation)
    for sub in ast.walk(value):
        if isinstance(sub, ast.Call):
            kinds |= _names(sub.func)
        elif isinstance(sub, ast.Name):
            kinds |= params.get(sub.id, set())
    return kinds


def read_facts() -> Facts:
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SERVICES.glob("*.py"))]
    classes = _service_classes(trees)
    store_attrs: set[str] = set()
    held: set[str] = set()
    for tree in trees:
        store = _store_names(tree)
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            if cls.name not in classes:
                continue
            params = _params(cls)
            for attr, annotation, value in _self_assignments(cls):
                kinds = _kinds(value, annotation, params)
                if kinds & store:
                    store_attrs.add(attr)
                if kinds & classes:  # also self.keys = revocation.keys (a service's .keys)
                    held.add(attr)
            for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                is_property = any(_names(d) & {"property"} for d in fn.decorator_list)
                if is_property and _names(fn.returns) & store:
                    store_attrs.add(fn.name)
    context = ast.parse((GUI / "context.py").read_text(encoding="utf-8"))
    context_services = {
        fn.name
        for fn in ast.walk(context)
        if isinstance(fn, ast.FunctionDef)
        and any(_names(d) & {"property"} for d in fn.decorator_list)
        and _names(fn.returns) & classes
    }
    return Facts(
        frozenset(classes), frozenset(store_attrs), frozenset(held), frozenset(context_services)
    )


class Violation(NamedTuple):
    path: str
    line: int
    text: str


class _Checker(ast.NodeVisitor):
    def __init__(self, facts: Facts, path: str, source: str) -> None:
        self.facts, self.path, self.source = facts, path, source
        self.gui_services: set[str] = set()  # self.x = SomeService(...) anywhere in the module
        self.local: list[set[str]] = [set()]  # names bound to a service, per function
        self.found: list[Violation] = []

    def run(self, tree: ast.Module) -> list[Violation]:
        for node in ast.walk(tree):
            for attr, annotation, value in _assignments_to_self(node):
                if _kinds(value, annotation, {}) & self.facts.classes:
                    self.gui_services.add(attr)
        self.visit(tree)
        return self.found

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        bound = set(self.local[-1])  # a nested function sees its parent's names
        args = node.args
        for arg in args.args + args.kwonlyargs + args.posonlyargs:
            if _names(arg.annotation) & self.facts.classes:
                bound.add(arg.arg)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and self._is_service(sub.value, bound):
                bound |= {t.id for t in sub.targets if isinstance(t, ast.Name)}
            elif (
                isinstance(sub, ast.AnnAssign)
                and isinstance(sub.target, ast.Name)
                and _names(sub.annotation) & self.facts.classes
            ):
                bound.add(sub.target.id)
        self.local.append(bound)
        self.generic_visit(node)
        self.local.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function  # noqa: N815

    def _is_service(self, node: ast.AST, bound: set[str]) -> bool:
        if isinstance(node, ast.Name):
            return node.id in bound
        if isinstance(node, ast.Call):
            return _last(node.func) in self.facts.classes
        if isinstance(node, ast.Attribute):
            base = node.value
            if node.attr in self.facts.context_services and _is_context(base):
                return True
            if node.attr in self.gui_services and isinstance(base, ast.Name) and base.id == "self":
                return True
            return node.attr in self.facts.held_services and self._is_service(base, bound)
        return False

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in self.facts.store_attrs and self._is_service(node.value, self.local[-1]):
            text = ast.get_source_segment(self.source, node) or node.attr
            self.found.append(Violation(self.path, node.lineno, text))
        self.generic_visit(node)


def _assignments_to_self(node: ast.AST) -> Iterator[tuple[str, ast.AST | None, ast.AST]]:
    if isinstance(node, ast.Assign):
        pairs = [(t, None) for t in node.targets]
        value: ast.AST = node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        pairs, value = [(node.target, node.annotation)], node.value
    else:
        return
    for target, annotation in pairs:
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            yield target.attr, annotation, value


def _last(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")


def _is_context(node: ast.AST) -> bool:
    """``ctx`` or ``….ctx`` (the AppContext, by the name every view gives it)."""
    return (isinstance(node, ast.Name) and node.id == "ctx") or (
        isinstance(node, ast.Attribute) and node.attr == "ctx"
    )


def check_source(source: str, path: str = "<test>", facts: Facts | None = None) -> list[Violation]:
    return _Checker(facts or read_facts(), path, source).run(ast.parse(source))


def test_the_facts_are_read_from_the_services() -> None:
    facts = read_facts()
    assert {"KeyService", "ExportService", "TokenService", "RevocationService"} <= facts.classes
    assert {"index", "vault", "audit"} <= facts.store_attrs
    assert "keys" in facts.held_services and "keys" in facts.context_services
    assert "clock" not in facts.store_attrs  # a plain function, not the store


@pytest.mark.parametrize(
    "source",
    [
        "def f(self):\n    return str(self.ctx.keys.index.home)\n",
        "def f(keys: KeyService):\n    keys.vault.check()\n",
        "def f(ctx):\n    svc = ExportService(ctx.keys)\n    return svc.keys.index.load()\n",
        "class V:\n    def __init__(self, ctx):\n        self.export = ExportService(ctx.keys)\n"
        "    def f(self):\n        return self.export.keys.audit\n",
        "def f(ctx):\n    return RevocationService(ctx.keys).keys.vault\n",
        "def f(keys: 'KeyService'):\n    run(lambda: keys.vault.backend_name)\n",
    ],
)
def test_store_reached_through_a_service_is_found(source: str) -> None:
    assert len(check_source(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "def f(self, row):\n    return self.proxy.index(row, 0)\n",
        "def f(keys, key):\n    return keys.index(key)\n",  # a list named keys
        "def f(extraction, found):\n    return extraction.found.index(found)\n",
        "def f(ctx):\n    return ctx.keys.index_dir()\n",
        "def f(self):\n    return self.model.index(0, 0)\n",
        "def f(keys: KeyService):\n    keys.check_keyring()\n",
    ],
)
def test_service_methods_and_unrelated_names_pass(source: str) -> None:
    assert check_source(source) == []


def test_no_gui_module_reaches_the_store_through_a_service() -> None:
    facts = read_facts()
    found = []
    for path in sorted(GUI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        found += check_source(source, path.relative_to(PACKAGE).as_posix(), facts)
    assert found == []
