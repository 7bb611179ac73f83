"""Request bodies check their text fields when built.

A caller without a type checker may pass ``order_id=1`` or ``package_uid=None``; serialised as
it is, the number would reach the server as a number, or the ``None`` as ``null``, and come
back as a refusal (or worse, be accepted as another value). Every request-body class is built
with :func:`text_checked` as its ``field_transformer``: a ``str`` field refuses anything but a
``str``, and a ``str | None`` one anything but a ``str`` or ``None``, with a ``TypeError``
naming the field, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["text_checked"]

_TEXT_TYPES: dict[Any, bool] = {"str": False, str: False, "str | None": True, str | None: True}
"""A text field's annotation (a string under postponed annotations) -> may it be None."""


def text_checked(cls: type[Any], fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """``fields`` with a type check added to each text field (an attrs field transformer)."""
    del cls
    return [_checked(field) for field in fields]


def _checked(field: attrs.Attribute[Any]) -> attrs.Attribute[Any]:
    optional = _TEXT_TYPES.get(field.type)
    if optional is None:
        return field
    check: Callable[[Any, attrs.Attribute[Any], Any], Any] = _optional_text if optional else _text
    if field.validator is not None:
        check = attrs.validators.and_(check, field.validator)
    return field.evolve(validator=check)


def _text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise _refusal(instance, attribute, value, "a str")


def _optional_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise _refusal(instance, attribute, value, "a str or None")


def _refusal(instance: Any, attribute: attrs.Attribute[Any], value: Any, kind: str) -> TypeError:
    return TypeError(
        f"{attribute.name} must be {kind}, not {type(value).__name__} "
        f"(in {type(instance).__name__})"
    )
