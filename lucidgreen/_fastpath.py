"""The generated fast path: the structuring function of each attrs model.

:func:`plain_attrs_structure_fn` compiles one per class, about twice as fast as cattrs' own
for the plain slotted classes the models are. :func:`attrs_hook_factory` (the converter's
hook for every attrs class) uses it when neither detailed validation nor a refusal of
unknown keys is asked for, and cattrs' generated function otherwise or for any class that
does not qualify.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import MemberDescriptorType
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from ._common_models import NO_EXTRAS, Extras, Model
from ._parsers import require_object, to_bool, to_optional_str, to_str

__all__ = ["attrs_hook_factory", "is_model", "plain_attrs_structure_fn"]

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


_EXTRAS = "extras"
_WIRE = "_wire"
_MODEL_FIELDS = frozenset({_EXTRAS, _WIRE})


def is_model(cls: type[Any]) -> bool:
    """Whether ``cls`` is a response model (a :class:`~lucidgreen._common_models.Model`)."""
    return issubclass(cls, Model)


def _extras_of(data: dict[str, Any], known: frozenset[str]) -> Extras:
    return Extras({key: value for key, value in data.items() if key not in known})


def _field_body(
    index: int, field: attrs.Attribute[Any], hook: _Hook, *, faithful: bool, container: bool
) -> list[str]:
    """The generated lines filling one field from its JSON value ``v``, keeping in ``w`` the
    JSON value behind a value the hook changed (``faithful`` hooks)."""
    guard = _IDENTITY_WHEN.get(hook)
    call = f"_set{index}(self, _h{index}(v, _t{index}))"
    keep = ["if w is None:", "    w = {}", f"w[{field.name!r}] = v"]
    if guard:
        body = [f"if {guard}:", f"    _set{index}(self, v)", "else:", f"    {call}"]
        body += ["    " + line for line in keep] if faithful else []
    elif faithful or container:
        body = [call, "if v is not None:" if faithful else "if v is None:"]
        body += ["    " + line for line in keep]
    else:
        body = [call]
    return body


def _field_lines(
    index: int, field: attrs.Attribute[Any], hook: _Hook, *, faithful: bool, container: bool
) -> list[str]:
    """The generated lines reading one field (``v``) and counting it in ``n`` when present."""
    body = _field_body(index, field, hook, faithful=faithful, container=container)
    key = repr(field.name)
    if field.default is attrs.NOTHING:
        return [f"    v = o[{key}]"] + ["    " + line for line in body]
    default = field.default
    missing = f"_d{index}()" if isinstance(default, attrs.Factory) else f"_d{index}"  # type: ignore[arg-type]
    return (
        [f"    if {key} in o:", "        n += 1", f"        v = o[{key}]"]
        + ["        " + line for line in body]
        + ["    else:", f"        _set{index}(self, {missing})"]
    )


def _complete_lines(fields: list[attrs.Attribute[Any]]) -> list[str]:
    """The head of ``structure``: an object with exactly the fields' keys (the usual record)
    has every value read up front (``v0`` …), with no key test or count per field and no
    extras; any other input goes to ``structure_any``, the general path, which raises what
    it raises. The hooks run after the reads, in field order, as there."""
    reads = [f"        v{index} = o[{field.name!r}]" for index, field in enumerate(fields)]
    return [
        "def structure(o, _):",
        f"    if type(o) is not dict or len(o) != {len(fields)}:",
        "        return structure_any(o, _)",
        "    try:",
        *reads,
        "    except KeyError:",
        "        return structure_any(o, _)",
        "    self = _new(_cls)",
        "    w = None",
    ]


def _qualifies(cls: type[Any], field: attrs.Attribute[Any]) -> bool:
    slot = inspect.getattr_static(cls, field.name, None)
    default = field.default
    return not (
        not field.init
        or field.validator is not None
        or field.converter is not None
        or field.alias != field.name
        or field.type is None
        or type(slot) is not MemberDescriptorType
        or (isinstance(default, attrs.Factory) and default.takes_self)  # type: ignore[arg-type,union-attr]
    )


def _is_container(type_: Any) -> bool:
    """``tuple[X, ...]`` or ``Mapping[...]``: ``null`` comes out empty, so it is kept."""
    return get_origin(type_) in (tuple, Mapping)


def plain_attrs_structure_fn(
    cls: type[Any], converter: cattrs.Converter, faithful: frozenset[Any] = frozenset()
) -> _Hook | None:
    """About twice as fast as cattrs' generated function, for a slotted attrs class whose
    ``__init__`` only assigns (no validator, converter, alias, init hook or cached hash).

    It reads the same keys with the same field hooks and fails on the same inputs (a missing
    required key is a ``KeyError``), but fills the slots of a new instance directly instead
    of building keyword arguments for the frozen ``__init__``, and skips a scalar hook when
    the value already has the right type. ``None`` when the class does not qualify.

    For a response model it also fills ``extras`` (the keys it does not know; counting the
    known keys present costs one addition per field, and the dict is built only when the
    count falls short) and the private ``_wire`` (the JSON values behind what a ``faithful``
    hook changed, and a ``null`` behind an empty container). A record with exactly the
    fields' keys, the usual one, skips the key tests and the count (``_complete_lines``).
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
    model = is_model(cls)
    fields = [f for f in attrs.fields(cls) if not (model and f.name in _MODEL_FIELDS)]
    if not all(_qualifies(cls, field) for field in fields):
        return None
    known = frozenset(field.name for field in fields)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_check": require_object}
    required = sum(field.default is attrs.NOTHING for field in fields)
    lines = ["def structure_any(o, _):", "    if type(o) is not dict:", "        _check(o)"]
    lines += ["    self = _new(_cls)", f"    n = {required}", "    w = None"]
    complete: list[str] = []
    for index, field in enumerate(fields):
        hook = (
            _deferred_hook(converter)  # a recursive field: its hook is the one being built
            if _mentions(field.type, cls)
            else converter.get_structure_hook(field.type)
        )
        slot = inspect.getattr_static(cls, field.name)
        default = field.default
        namespace.update({f"_set{index}": slot.__set__, f"_h{index}": hook})
        namespace.update({f"_t{index}": field.type, f"_d{index}": default})
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"_d{index}"] = default.factory
        kept = model and hook in faithful
        container = model and _is_container(field.type)
        lines += _field_lines(index, field, hook, faithful=kept, container=container)
        body = _field_body(index, field, hook, faithful=kept, container=container)
        complete += [f"    v = v{index}"] + ["    " + line for line in body]
    if model:
        namespace.update(
            {
                "_setx": inspect.getattr_static(cls, _EXTRAS).__set__,
                "_setw": inspect.getattr_static(cls, _WIRE).__set__,
                "_extras": _extras_of,
                "_known": known,
                "_nox": NO_EXTRAS,
            }
        )
        lines += [
            "    _setx(self, _nox if len(o) == n else _extras(o, _known))",
            "    _setw(self, _nox if w is None else w)",
        ]
        complete += ["    _setx(self, _nox)", "    _setw(self, _nox if w is None else w)"]
    lines.append("    return self")
    lines += _complete_lines(fields) + complete + ["    return self"]
    source = compile("\n".join(lines), f"<lucidgreen structure {cls.__qualname__}>", "exec")
    exec(source, namespace)  # noqa: S102 - code generated from the model's own fields
    structure: _Hook = namespace["structure"]
    return structure


def attrs_hook_factory(
    cls: type[Any], converter: cattrs.Converter, faithful: frozenset[Any] = frozenset()
) -> _Hook:
    """cattrs' generated structuring function, behind a check that the input is an object.

    Without the check, a string where an object belongs would be searched for field names
    (``"name" in "some text"``) and a class whose fields are all optional would come out
    empty instead of failing. A model's ``extras`` are never read from the key ``"extras"``:
    they are the keys its fields do not name.
    """
    if not converter.detailed_validation and not converter.forbid_extra_keys:
        fast = plain_attrs_structure_fn(cls, converter, faithful)
        if fast is not None:
            return fast
    if not is_model(cls):
        generated = make_dict_structure_fn(cls, converter)
    else:
        omitted = {name: override(omit=True) for name in _MODEL_FIELDS}
        generated = make_dict_structure_fn(cls, converter, **omitted)  # type: ignore[arg-type]
    known = frozenset(f.name for f in attrs.fields(cls)) - _MODEL_FIELDS
    setter = inspect.getattr_static(cls, _EXTRAS).__set__ if is_model(cls) else None

    def structure_object(value: Any, _: Any) -> Any:
        if type(value) is not dict:
            require_object(value)
        result = generated(value, cls)
        if setter is not None and not value.keys() <= known:
            setter(result, _extras_of(value, known))
        return result

    return structure_object
