"""The one cattrs converter: every wire-format rule of the models lives here.

The models (``source.models``, ``retail.models``) are plain attrs classes; this module
turns JSON into them and request models back into JSON. It is the only module that
imports cattrs, and it raises only :class:`~lucidgreen.errors.DecodeError`.

Leniency, because the documented formats and the real payloads disagree (reference §9.5):

- datetimes: ISO-8601 with ``Z``, ``±HH:MM`` or no offset, any fraction, a bare date,
  ``MM/DD/YYYY``; ``""`` and ``null`` are ``None``;
- dates: an ISO date, ``MM/DD/YYYY`` or a datetime (its date); ``""`` is ``None``;
- decimals from strings (``"40.0000"``), ints or floats; ``""`` is ``None``;
- floats (``size_bytes``) from numbers or numeric strings; ``""`` is ``None``;
- ``null`` where a list or mapping is expected is empty;
- unknown keys are ignored (the API adds fields without a version bump).

:func:`make_strict_converter` refuses unknown keys instead, so tests catch a model that
forgot a field.

>>> from lucidgreen.source.models import ProductSummary
>>> structure({"uuid": "UNDTMBovdue9tFWfhamnDM", "is_published": True}, ProductSummary)
ProductSummary(uuid='UNDTMBovdue9tFWfhamnDM', name=None, sku=None, product_type=None, is_published=True, brand_uuid=None)
"""  # noqa: E501

from __future__ import annotations

import enum
import inspect
import json
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import GenericAlias, MemberDescriptorType
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import format_exception

from lucidgreen.errors import DecodeError

__all__ = [
    "ModelConverter",
    "make_strict_converter",
    "structure",
    "structure_list",
    "unstructure",
]

T = TypeVar("T")

_MAX_PROBLEMS = 5  # field problems quoted in one DecodeError message
_Hook = Callable[[Any, Any], Any]


# --- Scalar parsers ---------------------------------------------------------------------
# Each takes the JSON value (and the target type, unused) and returns the parsed value or
# None, or raises ValueError/TypeError with a message quoting the offending value.


def _bad(kind: str, value: object) -> ValueError:
    return ValueError(f"not {kind}: {value!r:.80}")


def _us_date(text: str) -> date | None:
    """``MM/DD/YYYY`` (LucidRetail's product dates), or None if the text has another shape."""
    parts = text.split("/")
    if len(parts) == 3 and len(parts[2]) == 4 and all(part.isdigit() for part in parts):
        month, day, year = (int(part) for part in parts)
        return date(year, month, day)  # ValueError for 13/45/2020
    return None


def _to_datetime(value: Any, _: Any = None) -> datetime | None:
    if type(value) is str:
        if value and "/" not in value:
            try:
                # Fast path: Python 3.11 reads Z, offsets, any fraction and bare dates.
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        text = value.strip()
        if not text:
            return None
        try:
            us = _us_date(text)
            if us is not None:
                return datetime(us.year, us.month, us.day)
            return datetime.fromisoformat(text)
        except ValueError:
            raise _bad("a date-time", value) from None
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise _bad("a date-time", value)


def _to_date(value: Any, _: Any = None) -> date | None:
    if type(value) is date:
        return value
    try:
        # Every string form a datetime takes is a date too; a datetime keeps the calendar
        # date it was written with.
        parsed = _to_datetime(value)
    except ValueError:
        raise _bad("a date", value) from None
    return None if parsed is None else parsed.date()


def _to_decimal(value: Any, _: Any = None) -> Decimal | None:
    if type(value) is str:
        text = value.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _bad("a decimal number", value) from None
    elif type(value) is int:
        return Decimal(value)
    elif type(value) is float:
        # Through str so 0.1 becomes Decimal("0.1"), not its binary expansion.
        number = Decimal(str(value))
    elif value is None or isinstance(value, Decimal):
        return value
    else:
        raise _bad("a decimal number", value)
    if not number.is_finite():
        raise _bad("a finite decimal number", value)
    return number


def _to_float(value: Any, _: Any = None) -> float | None:
    if type(value) is float or type(value) is int:
        number = float(value)
    elif type(value) is str:
        text = value.strip()
        if not text:  # size_bytes is "" in the brand_video example
            return None
        try:
            number = float(text)
        except ValueError:
            raise _bad("a number", value) from None
    elif value is None:
        return None
    else:
        raise _bad("a number", value)
    if not math.isfinite(number):
        raise _bad("a finite number", value)
    return number


def _to_str(value: Any, _: Any = None) -> str:
    if type(value) is str:
        return value
    # Codes such as upc or sku may arrive as JSON numbers; their text is what callers want.
    if type(value) is int or type(value) is float:
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}: {value!r:.80}")


def _to_optional_str(value: Any, _: Any = None) -> str | None:
    if value is None or type(value) is str:  # the common case, without a second call
        return value
    return _to_str(value)


_BOOL_WORDS = {"true": True, "false": False}


def _to_bool(value: Any, _: Any = None) -> bool | None:
    if value is None or type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if type(value) is str and value.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.strip().lower()]
    raise TypeError(f"expected a boolean, got {type(value).__name__}: {value!r:.80}")


# --- Hook factories for containers and attrs classes --------------------------------------


def _is_homogeneous_tuple(type_: Any) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook_factory(type_: Any, converter: cattrs.Converter) -> _Hook:
    """``tuple[X, ...]`` from a JSON array; ``null`` is ``()``, anything else is refused.

    cattrs alone would turn a string into a tuple of characters and a dict into its keys.
    """
    elem_type = get_args(type_)[0]
    if elem_type is Any:

        def structure_raw(value: Any, _: Any) -> tuple[Any, ...]:
            if type(value) is not list:
                if value is None:
                    return ()
                _require_array(value)
            return tuple(value)

        return structure_raw

    elem_hook = converter.get_structure_hook(elem_type)
    if not converter.detailed_validation:

        def structure_fast(value: Any, _: Any) -> tuple[Any, ...]:
            if type(value) is not list:
                if value is None:
                    return ()
                _require_array(value)
            return tuple([elem_hook(item, elem_type) for item in value])

        return structure_fast

    def structure_detailed(value: Any, _: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        _require_array(value)
        result = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                result.append(elem_hook(item, elem_type))
            except Exception as exc:  # noqa: BLE001 - collected and raised as a group below
                # The note is what lets cattrs.transform_error print "$.items[3]".
                exc.add_note(
                    IterableValidationNote(f"Structuring {type_} @ index {index}", index, elem_type)
                )
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return tuple(result)

    return structure_detailed


def _is_list(type_: Any) -> bool:
    return get_origin(type_) is list


def _list_hook_factory(type_: Any, converter: cattrs.Converter) -> _Hook:
    """``list[X]`` (a whole bare-array response): only a JSON array; ``null`` is refused."""
    base = list_structure_factory(type_, converter)

    def structure_list(value: Any, _: Any) -> list[Any]:
        _require_array(value)
        return base(value, type_)  # type: ignore[no-any-return]

    return structure_list


def _require_array(value: Any) -> None:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a JSON array, got {type(value).__name__}: {value!r:.80}")


def _is_optional_container(type_: Any) -> bool:
    """``Model | None`` or ``Mapping[...] | None`` (the scalar ``X | None`` have own hooks)."""
    args = get_args(type_)
    if len(args) != 2 or type(None) not in args or type_ != args[0] | args[1]:
        return False
    (inner,) = (arg for arg in args if arg is not type(None))
    return attrs.has(inner) or _is_mapping(inner)


def _optional_hook_factory(type_: Any, converter: cattrs.Converter) -> _Hook:
    """``X | None`` with X's hook looked up once, not on every call as cattrs does."""
    (inner,) = (arg for arg in get_args(type_) if arg is not type(None))
    inner_hook = converter.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


def _is_mapping(type_: Any) -> bool:
    return get_origin(type_) is Mapping


def _mapping_hook_factory(type_: Any, converter: cattrs.Converter) -> _Hook:
    """``Mapping[str, X]`` from a JSON object; ``null`` is ``{}``, anything else is refused."""
    base = mapping_structure_factory(type_, converter)

    def structure_mapping(value: Any, _: Any) -> Mapping[Any, Any]:
        if value is None:
            return {}
        _require_object(value)
        return base(value, type_)  # type: ignore[no-any-return]

    return structure_mapping


def _require_object(value: Any) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, got {type(value).__name__}: {value!r:.80}")


def _attrs_hook_factory(cls: type[Any], converter: cattrs.Converter) -> _Hook:
    """cattrs' generated structuring function, behind a check that the input is an object.

    Without the check, a string where an object belongs would be searched for field names
    (``"name" in "some text"``) and a class whose fields are all optional would come out
    empty instead of failing.
    """
    if not converter.detailed_validation and not converter.forbid_extra_keys:
        fast = _plain_attrs_structure_fn(cls, converter)
        if fast is not None:
            return fast
    generated = make_dict_structure_fn(cls, converter)

    def structure_object(value: Any, _: Any) -> Any:
        if type(value) is not dict:
            _require_object(value)
        return generated(value, cls)

    return structure_object


# Hooks that return their input unchanged whenever this condition on ``v`` holds (see the
# parsers above); the generated code below skips the call then.
_IDENTITY_WHEN: dict[Any, str] = {
    _to_str: "type(v) is str",
    _to_optional_str: "v is None or type(v) is str",
    _to_bool: "v is None or type(v) is bool",
}


def _mentions(type_: Any, cls: type[Any]) -> bool:
    """Whether ``type_`` is ``cls`` or has it among its type arguments, at any depth."""
    return type_ is cls or any(_mentions(arg, cls) for arg in get_args(type_))


def _deferred_hook(converter: cattrs.Converter) -> _Hook:
    """A hook looked up at call time, for fields whose type refers to their own class."""

    def structure_deferred(value: Any, type_: Any) -> Any:
        return converter.get_structure_hook(type_)(value, type_)

    return structure_deferred


def _plain_attrs_structure_fn(cls: type[Any], converter: cattrs.Converter) -> _Hook | None:
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
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_check": _require_object}
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


def _attrs_unhook_factory(cls: type[Any], converter: cattrs.Converter) -> Callable[[Any], Any]:
    """Request bodies: a JSON object without the fields that are ``None``."""
    generated = make_dict_unstructure_fn(cls, converter)

    def unstructure_object(obj: Any) -> dict[str, Any]:
        return {key: value for key, value in generated(obj).items() if value is not None}

    return unstructure_object


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _make_cattrs_converter(*, detailed: bool, forbid_extra_keys: bool) -> cattrs.Converter:
    converter = cattrs.Converter(
        detailed_validation=detailed,
        forbid_extra_keys=forbid_extra_keys,
        # Request bodies built from tuples or other sequences go out as JSON arrays.
        unstruct_collection_overrides={tuple: list},
    )
    converter.register_structure_hook_factory(_is_optional_container, _optional_hook_factory)
    scalar_hooks: list[tuple[Any, _Hook]] = [
        (str, _to_str),
        (str | None, _to_optional_str),
        (bool | None, _to_bool),
        (float | None, _to_float),
        (Decimal | None, _to_decimal),
        (datetime | None, _to_datetime),
        (date | None, _to_date),
    ]
    for type_, hook in scalar_hooks:
        converter.register_structure_hook(type_, hook)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    converter.register_structure_hook_factory(_is_list, _list_hook_factory)
    converter.register_structure_hook_factory(_is_mapping, _mapping_hook_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_hook_factory)

    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(Decimal, str)
    # StrEnum/IntEnum members are also str/int, which cattrs would pass through untouched;
    # these more specific registrations send their plain values instead.
    converter.register_unstructure_hook(enum.StrEnum, _enum_value)
    converter.register_unstructure_hook(enum.IntEnum, _enum_value)
    converter.register_unstructure_hook_factory(attrs.has, _attrs_unhook_factory)
    return converter


# --- Error reporting --------------------------------------------------------------------


def _describe(exc: BaseException, type_: type | None) -> str:
    """One problem in words; our parsers' messages already quote the offending value."""
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s) {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, ValueError | TypeError) and exc.args:
        return str(exc)
    return format_exception(exc, type_)


def _raw_text(data: Any) -> str:
    """The input as JSON text for :attr:`DecodeError.text`, whatever it holds."""
    try:
        return json.dumps(data, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):
        return "<input that cannot be shown as JSON>"


def _type_name(type_: Any) -> str:
    """``Product``, or ``list[Product]`` for a list target."""
    args = get_args(type_)
    if args:
        inner = ", ".join(_type_name(arg) for arg in args)
        return f"{_type_name(get_origin(type_))}[{inner}]"
    return getattr(type_, "__name__", None) or repr(type_)


# --- Public surface ---------------------------------------------------------------------


class ModelConverter:
    """Structures JSON data into models and models into JSON data.

    Structuring runs cattrs' generated code without detailed validation (it is several times
    faster); only when that fails is the input structured again with detailed validation,
    to name the failing field paths in the :class:`DecodeError`.

    >>> from lucidgreen.retail.models import PackageUIDExport
    >>> ModelConverter().structure({"export_url": "https://cdn/x.json"}, PackageUIDExport)
    PackageUIDExport(export_url='https://cdn/x.json')
    """

    __slots__ = ("_detailed", "_fast", "_forbid_extra_keys")

    def __init__(self, *, forbid_extra_keys: bool = False) -> None:
        self._forbid_extra_keys = forbid_extra_keys
        self._fast = _make_cattrs_converter(detailed=False, forbid_extra_keys=forbid_extra_keys)
        self._detailed: cattrs.Converter | None = None  # built on the first failure

    def structure(
        self, data: Any, cls: type[T], *, text: str | None = None, status: int | None = None
    ) -> T:
        """``data`` (parsed JSON) as a ``cls``; :class:`DecodeError` if it does not fit.

        ``text`` is the raw body when the caller has it (kept on the error); otherwise the
        error carries ``data`` re-serialised as JSON.
        """
        try:
            return self._fast.structure(data, cls)
        except Exception as exc:
            raise self._decode_error(data, cls, exc, text=text, status=status) from exc

    def structure_list(
        self, data: Any, cls: type[T], *, text: str | None = None, status: int | None = None
    ) -> list[T]:
        """A JSON array of ``cls`` objects (such as ``brands_list``'s bare array)."""
        try:
            _require_array(data)
            hook = self._fast.get_structure_hook(cls)
            return [hook(item, cls) for item in data]
        except Exception as exc:
            target = GenericAlias(list, (cls,))
            raise self._decode_error(data, target, exc, text=text, status=status) from exc

    def unstructure(self, obj: Any) -> Any:
        """A request model as JSON data: ISO-8601 datetimes, decimal strings, enum values,
        lists for sequences, and no ``None`` fields."""
        return self._fast.unstructure(obj)

    def _decode_error(
        self, data: Any, cls: Any, exc: Exception, *, text: str | None, status: int | None
    ) -> DecodeError:
        problems = self._explain(data, cls, exc)
        shown = "; ".join(problems[:_MAX_PROBLEMS])
        if len(problems) > _MAX_PROBLEMS:
            shown += f"; and {len(problems) - _MAX_PROBLEMS} more"
        return DecodeError(
            f"response does not match {_type_name(cls)}: {shown}",
            text=_raw_text(data) if text is None else text,
            status=status,
        )

    def _explain(self, data: Any, cls: Any, exc: Exception) -> list[str]:
        """``["not a date: 'x' @ $.published_on", …]`` from a detailed second pass."""
        if self._detailed is None:
            self._detailed = _make_cattrs_converter(
                detailed=True, forbid_extra_keys=self._forbid_extra_keys
            )
        try:
            self._detailed.structure(data, cls)
        except Exception as detailed:  # noqa: BLE001 - any failure here is what we explain
            try:
                return cattrs.transform_error(detailed, format_exception=_describe)
            except Exception:  # noqa: BLE001 - an explanation must never hide the problem
                return [_describe(detailed, None)]
        # The detailed pass accepted what the fast pass refused: report the fast pass' error.
        return [_describe(exc, None)]


_DEFAULT = ModelConverter()


def structure(data: Any, cls: type[T], *, text: str | None = None, status: int | None = None) -> T:
    """Parsed JSON as a model, with the lenient production rules.

    Raises only :class:`~lucidgreen.errors.DecodeError`, whose message names the failing
    field paths and whose ``text`` holds the raw JSON.
    """
    return _DEFAULT.structure(data, cls, text=text, status=status)


def structure_list(
    data: Any, cls: type[T], *, text: str | None = None, status: int | None = None
) -> list[T]:
    """A JSON array as a list of models; raises only :class:`~lucidgreen.errors.DecodeError`."""
    return _DEFAULT.structure_list(data, cls, text=text, status=status)


def unstructure(obj: Any) -> Any:
    """A request model as JSON-ready data (see :meth:`ModelConverter.unstructure`).

    >>> from decimal import Decimal
    >>> from lucidgreen._common_models import Measure
    >>> unstructure(Measure(value=Decimal("1.50"), unit="g"))
    {'value': '1.50', 'unit': 'g'}
    """
    return _DEFAULT.unstructure(obj)


def make_strict_converter() -> ModelConverter:
    """A converter that refuses unknown keys, for tests: a field a model forgot fails loudly."""
    return ModelConverter(forbid_extra_keys=True)
