"""A client's resource namespaces, declared so ``help(client)`` lists them and their methods.

Each namespace is a :class:`Namespace` on the client class: a data descriptor whose
docstring is the namespace's one-line summary and its public methods, so ``pydoc`` shows
them under the client's "data descriptors"; the instance keeps the namespace object.
"""

from __future__ import annotations

import inspect
from typing import Any, Generic, TypeVar, overload

__all__ = ["Namespace", "namespaces_of", "public_methods"]

R = TypeVar("R")


def public_methods(cls: type) -> list[str]:
    """The public methods ``cls`` defines itself, in definition order."""
    return [
        name
        for name, value in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(value)
    ]


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or cls.__name__
    return doc.strip().splitlines()[0]


class Namespace(Generic[R]):
    """``client.<name>``: the :class:`R` namespace the client mounted."""

    def __init__(self, kind: type[R]) -> None:
        self.kind: type[R] = kind
        self.name: str = ""
        methods = ", ".join(f"{name}()" for name in public_methods(kind))
        self.__doc__: str | None = f"{_summary(kind)}\n\n{kind.__name__}: {methods}"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Namespace[R]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> R: ...
    def __get__(self, instance: object | None, owner: type) -> Namespace[R] | R:
        if instance is None:
            return self
        try:
            value: R = vars(instance)[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        return value

    def __set__(self, instance: object, value: R) -> None:
        vars(instance)[self.name] = value


def namespaces_of(client_type: type) -> dict[str, Namespace[Any]]:
    """The namespaces declared on ``client_type`` (and its bases) by attribute name."""
    return {
        name: value
        for klass in reversed(client_type.__mro__)
        for name, value in vars(klass).items()
        if isinstance(value, Namespace)
    }
