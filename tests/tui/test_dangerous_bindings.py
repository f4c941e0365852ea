"""Every key whose action reaches a mutating AWS call is marked ``danger`` (k9s' Dangerous flag),
and read-only mode hides exactly those: a new mutating key cannot be forgotten.

What an action reaches is read from its code: the functions, methods, modules and dialog classes
it names, followed through batchtui's own modules until a function of batchtui.aws.actions that
sends a mutating Batch operation (classified from botocore's model, as the read-only guard does),
or batchtui.aws.apply's apply_change_set.
"""

from __future__ import annotations

import importlib
import inspect
import types
from collections.abc import Iterator
from typing import Any

import batchtui.aws.actions as aws_actions
import batchtui.aws.apply as aws_apply
from batchtui.aws.operations import mutating_operations
from batchtui.tui.bindings import ActionBinding, declared_bindings
from batchtui.tui.screens import BINDING_OWNERS
from batchtui.tui.screens.base import BaseScreen


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _strings(fn: types.FunctionType) -> set[str]:
    return {c for co in _codes(fn.__code__) for c in co.co_consts if isinstance(c, str)}


MUTATING = set(mutating_operations("batch"))
#: The functions of batchtui.aws.actions that send a mutating operation.
MUTATORS = {
    fn
    for _, fn in inspect.getmembers(aws_actions, inspect.isfunction)
    if fn.__module__ == aws_actions.__name__ and _strings(fn) & MUTATING
}
# A change set's steps name their operations at run time (CreateComputeEnvironment, ...).
MUTATORS.add(aws_apply.apply_change_set)


def _ours(obj: Any) -> bool:
    return getattr(obj, "__module__", "").startswith("batchtui.")


def reaches_mutation(fn: Any, owner: type | None = None, seen: set[Any] | None = None) -> bool:
    """Whether ``fn`` (a function or method of ``owner``) calls, directly or through batchtui's
    functions, a function of aws.actions that mutates the account."""
    seen = set() if seen is None else seen
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    if not isinstance(fn, types.FunctionType) or fn in seen:
        return False
    seen.add(fn)
    if fn in MUTATORS:
        return True
    names = {n for co in _codes(fn.__code__) for n in co.co_names}
    found: list[Any] = [fn.__globals__.get(n) for n in names]
    found += [importlib.import_module(n) for n in names if n.startswith("batchtui.")]
    if owner is not None:
        found += [inspect.getattr_static(owner, n, None) for n in names]
    modules = [
        m for m in found if isinstance(m, types.ModuleType) and m.__name__.startswith("batchtui")
    ]
    while modules:  # `from batchtui.aws import actions` then `actions.stop_job`
        module = modules.pop()
        for n in names:
            attr = getattr(module, n, None)
            if isinstance(attr, types.ModuleType) and attr not in found:
                modules.append(attr)
            found.append(attr)
    # A dialog the action opens (the apply dialog) mutates through its own methods.
    dialogs = [c for c in found if isinstance(c, type) and _ours(c) and c not in seen]
    seen.update(dialogs)
    return any(
        reaches_mutation(f, owner, seen)
        for f in found
        if _ours(f)
        and isinstance(inspect.unwrap(getattr(f, "__func__", f) or 0), types.FunctionType)
    ) or any(
        reaches_mutation(f, c, seen)
        for c in dialogs
        for f in vars(c).values()
        if isinstance(f, types.FunctionType)
    )


def _screen_actions() -> Iterator[tuple[type, str, Any, bool]]:
    for cls in BINDING_OWNERS:
        if not issubclass(cls, BaseScreen):
            continue
        for binding in declared_bindings(cls):
            name = binding.action.split("(")[0]
            if "." in name:  # the app's or another namespace's action
                continue
            method = getattr(cls, f"action_{name}", None)
            if method is not None:
                danger = isinstance(binding, ActionBinding) and binding.danger
                yield cls, binding.action, method, danger


def test_the_mutating_functions_are_found() -> None:
    names = {f.__name__ for f in MUTATORS}
    assert {"stop_job", "set_compute_environment_state", "scale_compute_environment"} <= names
    assert "apply_change_set" in names


def test_every_binding_that_mutates_aws_is_marked_danger() -> None:
    unmarked, overmarked, mutating = [], [], []
    for cls, action, method, danger in _screen_actions():
        mutates = reaches_mutation(method, cls)
        if mutates:
            mutating.append(f"{cls.__name__}.{action}")
        if mutates and not danger:
            unmarked.append(f"{cls.__name__}.{action}")
        if danger and not mutates:
            overmarked.append(f"{cls.__name__}.{action}")
    # The walk finds the known ones (so it can fail), and finds them all marked.
    assert {
        "JobsScreen.stop",
        "OverviewScreen.scale",
        "ComputeEnvironmentScreen.toggle_state",
    } <= set(mutating)
    assert unmarked == []
    assert overmarked == []


def test_read_only_hides_exactly_the_dangerous_actions() -> None:
    for cls, action, _, danger in _screen_actions():
        assert (action in cls.DANGEROUS) == danger, (cls.__name__, action)
