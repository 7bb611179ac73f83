"""The generated fast path: the structuring function of each attrs model.

:func:`plain_attrs_structure_fn` compiles one per class, about twice as fast as cattrs' own
for the plain slotted classes the models are. :func:`attrs_hook_factory` (the converter's
hook for every attrs class) uses it when neither detailed validation nor a refusal of
unknown keys is asked for, and cattrs' generated function otherwise or for any class that
does not qualify.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, get_args

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from ._parsers import require_object, to_bool, to_optional_str, to_str

__all__ = ["attrs_hook_factory", "plain_attrs_structure_fn"]

_Hook = Callable[[Any, Any], Any]

# Hooks that return their input unchanged whenever this condition on ``v`` holds (see the
# parsers in lucidgreen._parsers); the generated code below skips the call then.
_IDENTITY_WHEN: dict[Any, str] = {
    to_str: "type(v) is str",
    to_optional_str: "v is None or type(v) is str",
    to_bool: "v is None or type(v) is bool",
}


def _mentions(type_: Any, cls: type[Any]) -> bool:
    """Whether ``type_`` is ``cls`` or has it among its type arguments, at any depth."""
    return type_ is cls or any(_mentions(arg, cls) for arg in get_args(type_))


def _deferred_hook(converter: cattrs.Converter) -> _Hook:
    """A hook looked up at call time, for fields whose type refers to their own class."""

    def structure_deferred(value: Any, type_: Any) -> Any:
        return converter.get_structure_hook(type_)(value, type_)

    return structure_deferred


def plain_attrs_structure_fn(cls: type[Any], converter: cattrs.Converter) -> _Hook | None:
    """About twice as fast as cattrs' generated function, for a slotted attrs class whose
    ``__init__`` only assigns (no validator, converter, alias, init hook or cached hash).

    It reads the same keys with the same field hooks and fails on the same inputs (a missing
    required key is a ``KeyError``), but fills the slots of a new instance directly instead
    of building keyword arguments for the frozen ``__init__``, and skips a scalar hook when
    the value already has the right type. ``None`` when the class does not qualify.
    """
    slots = cls.__dict__.get("__slots__")
    if (
        slots is None
        or "_attrs_cached_hash" in slots
        or hasattr(cls, "__attrs_pre_init__")
        or hasattr(cls, "__attrs_post_init__")
    ):
        return None
    attrs.resolve_types(cls)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_check": require_object}
    lines = ["def structure(o, _):", "    if type(o) is not dict:", "        _check(o)"]
    lines.append("    self = _new(_cls)")
    for index, field in enumerate(attrs.fields(cls)):
        slot = inspect.getattr_static(cls, field.name, None)
        default = field.default
        if (
            not field.init
            or field.validator is not None
            or field.converter is not None
            or field.alias != field.name
            or field.type is None
            or type(slot) is not MemberDescriptorType
            or (isinstance(default, attrs.Factory) and default.takes_self)  # type: ignore[arg-type]
        ):
            return None
        hook = (
            _deferred_hook(converter)  # a recursive field: its hook is the one being built
            if _mentions(field.type, cls)
            else converter.get_structure_hook(field.type)
        )
        namespace.update({f"_set{index}": slot.__set__, f"_h{index}": hook})
        namespace.update({f"_t{index}": field.type, f"_d{index}": default})
        guard = _IDENTITY_WHEN.get(hook)
        value = f"_h{index}(v, _t{index})"
        value = f"v if {guard} else {value}" if guard else value
        key = repr(field.name)
        if default is attrs.NOTHING:
            lines += [f"    v = o[{key}]", f"    _set{index}(self, {value})"]
            continue
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"_d{index}"] = default.factory
            missing = f"_d{index}()"
        else:
            missing = f"_d{index}"
        lines += [
            f"    if {key} in o:",
            f"        v = o[{key}]",
            f"        _set{index}(self, {value})",
        ]
        lines += ["    else:", f"        _set{index}(self, {missing})"]
    lines.append("    return self")
    exec(compile("\n".join(lines), f"<lucidgreen structure {cls.__qualname__}>", "exec"), namespace)
    structure: _Hook = namespace["structure"]
    return structure


def attrs_hook_factory(cls: type[Any], converter: cattrs.Converter) -> _Hook:
    """cattrs' generated structuring function, behind a check that the input is an object.

    Without the check, a string where an object belongs would be searched for field names
    (``"name" in "some text"``) and a class whose fields are all optional would come out
    empty instead of failing.
    """
    if not converter.detailed_validation and not converter.forbid_extra_keys:
        fast = plain_attrs_structure_fn(cls, converter)
        if fast is not None:
            return fast
    generated = make_dict_structure_fn(cls, converter)

    def structure_object(value: Any, _: Any) -> Any:
        if type(value) is not dict:
            require_object(value)
        return generated(value, cls)

    return structure_object
