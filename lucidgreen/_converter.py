"""The one cattrs converter: JSON into the models, request models back into JSON.

The models (``source.models``, ``retail.models``) are plain attrs classes. Three modules
turn JSON into them: :mod:`lucidgreen._parsers` (the pure scalar rules: lenient dates,
decimal strings, ``""`` as ``None``), this one (:func:`make_converter` registers those
rules and the container rules, and :class:`ModelConverter` turns any failure into a
:class:`~lucidgreen.errors.DecodeError` naming the field paths) and
:mod:`lucidgreen._fastpath` (the generated structuring functions). Only these import
cattrs. Unknown keys are kept in each model's ``extras`` (the API adds fields without a
version bump); :func:`make_strict_converter` refuses them, so tests catch a model that forgot
a field. Every datetime comes out timezone-aware: one sent without an offset is read in the
converter's ``naive_timezone`` (UTC by default).

>>> from lucidgreen.source.models import ProductSummary
>>> structure({"uuid": "UNDTMBovdue9tFWfhamnDM", "is_published": True}, ProductSummary)
ProductSummary(uuid='UNDTMBovdue9tFWfhamnDM', name=None, sku=None, product_type=None, is_published=True, brand_uuid=None)
"""  # noqa: E501

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from types import GenericAlias
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_unstructure_fn, override

from lucidgreen.errors import DecodeError

from ._decode_report import describe, raw_text, type_name
from ._fastpath import attrs_hook_factory, is_model
from ._parsers import (
    require_array,
    require_object,
    require_timezone,
    to_bool,
    to_date,
    to_datetime,
    to_decimal,
    to_float,
    to_optional_str,
    to_str,
)

__all__ = [
    "ModelConverter",
    "make_converter",
    "make_strict_converter",
    "structure",
    "structure_list",
    "unstructure",
]

T = TypeVar("T")

_MAX_PROBLEMS = 5  # field problems quoted in one DecodeError message
_Hook = Callable[[Any, Any], Any]


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
        return _structure_raw_tuple
    elem_hook = converter.get_structure_hook(elem_type)
    if converter.detailed_validation:
        return _detailed_tuple_hook(type_, elem_type, elem_hook)
    return _fast_tuple_hook(elem_type, elem_hook)


def _structure_raw_tuple(value: Any, _: Any) -> tuple[Any, ...]:
    if type(value) is not list:
        if value is None:
            return ()
        require_array(value)
    return tuple(value)


def _fast_tuple_hook(elem_type: Any, elem_hook: _Hook) -> _Hook:
    def structure_fast(value: Any, _: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            if value is None:
                return ()
            require_array(value)
        return tuple([elem_hook(item, elem_type) for item in value])

    return structure_fast


def _detailed_tuple_hook(type_: Any, elem_type: Any, elem_hook: _Hook) -> _Hook:
    """The detailed pass: every failing element is collected, each noted with its index."""

    def structure_detailed(value: Any, _: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        require_array(value)
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
        require_array(value)
        return base(value, type_)  # type: ignore[no-any-return]

    return structure_list


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
        require_object(value)
        return base(value, type_)  # type: ignore[no-any-return]

    return structure_mapping


def _attrs_unhook_factory(cls: type[Any], converter: cattrs.Converter) -> Callable[[Any], Any]:
    """Request bodies: a JSON object without the fields that are ``None``."""
    omitted = {"extras": override(omit=True), "_wire": override(omit=True)} if is_model(cls) else {}
    generated = make_dict_unstructure_fn(cls, converter, **omitted)  # type: ignore[arg-type]

    def unstructure_object(obj: Any) -> dict[str, Any]:
        return {key: value for key, value in generated(obj).items() if value is not None}

    return unstructure_object


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def make_converter(
    *, detailed: bool = False, forbid_extra_keys: bool = False, naive_timezone: tzinfo = UTC
) -> cattrs.Converter:
    """The cattrs converter with every rule of the wire format registered.

    Structuring: ``str``, ``str | None``, ``bool | None``, ``float | None``,
    ``Decimal | None``, ``datetime | None`` and ``date | None`` go through the lenient
    parsers of :mod:`lucidgreen._parsers`; ``X | None`` looks X's hook up once;
    ``tuple[X, ...]`` and ``Mapping[str, X]`` take ``null`` as empty and refuse any other
    non-array / non-object; ``list[X]`` (a whole bare-array answer) refuses ``null``; attrs
    classes refuse a non-object and, without ``detailed`` or ``forbid_extra_keys``, run the
    generated fast path of :mod:`lucidgreen._fastpath`.

    Unstructuring: ISO-8601 dates and datetimes, decimal strings, enum values, lists for
    tuples, and attrs objects without their ``None`` fields.

    ``detailed`` turns on cattrs' detailed validation (field paths in errors, slower);
    ``forbid_extra_keys`` refuses unknown keys (the strict converter of the tests);
    ``naive_timezone`` is the zone of a datetime sent without an offset.
    """
    require_timezone(naive_timezone)
    converter = cattrs.Converter(
        detailed_validation=detailed,
        forbid_extra_keys=forbid_extra_keys,
        # Request bodies built from tuples or other sequences go out as JSON arrays.
        unstruct_collection_overrides={tuple: list},
    )
    converter.register_structure_hook_factory(_is_optional_container, _optional_hook_factory)

    def to_aware_datetime(value: Any, _: Any = None) -> datetime | None:
        return to_datetime(value, naive_timezone=naive_timezone)

    scalar_hooks: list[tuple[Any, _Hook]] = [
        (str, to_str),
        (str | None, to_optional_str),
        (bool | None, to_bool),
        (float | None, to_float),
        (Decimal | None, to_decimal),
        (datetime | None, to_aware_datetime),
        (date | None, to_date),
    ]
    for type_, hook in scalar_hooks:
        converter.register_structure_hook(type_, hook)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    converter.register_structure_hook_factory(_is_list, _list_hook_factory)
    converter.register_structure_hook_factory(_is_mapping, _mapping_hook_factory)
    # The scalar hooks may change the JSON value (a string into a datetime): the models keep
    # what they were given, for to_dict().
    faithful = frozenset(hook for _, hook in scalar_hooks)
    converter.register_structure_hook_factory(
        attrs.has, functools.partial(attrs_hook_factory, faithful=faithful)
    )

    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(Decimal, str)
    # StrEnum/IntEnum members are also str/int, which cattrs would pass through untouched;
    # these more specific registrations send their plain values instead.
    converter.register_unstructure_hook(enum.StrEnum, _enum_value)
    converter.register_unstructure_hook(enum.IntEnum, _enum_value)
    converter.register_unstructure_hook_factory(attrs.has, _attrs_unhook_factory)
    return converter


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

    __slots__ = ("_detailed", "_fast", "_forbid_extra_keys", "naive_timezone")

    def __init__(self, *, forbid_extra_keys: bool = False, naive_timezone: tzinfo = UTC) -> None:
        self._forbid_extra_keys = forbid_extra_keys
        self.naive_timezone: tzinfo = naive_timezone
        """The zone of a datetime the API sends without an offset."""
        self._fast = make_converter(
            detailed=False, forbid_extra_keys=forbid_extra_keys, naive_timezone=naive_timezone
        )
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
            require_array(data)
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
            f"response does not match {type_name(cls)}: {shown}",
            text=raw_text(data) if text is None else text,
            status=status,
        )

    def _explain(self, data: Any, cls: Any, exc: Exception) -> list[str]:
        """``["not a date: 'x' @ $.published_on", …]`` from a detailed second pass."""
        if self._detailed is None:
            self._detailed = make_converter(
                detailed=True,
                forbid_extra_keys=self._forbid_extra_keys,
                naive_timezone=self.naive_timezone,
            )
        try:
            self._detailed.structure(data, cls)
        except Exception as detailed:  # noqa: BLE001 - any failure here is what we explain
            try:
                return cattrs.transform_error(detailed, format_exception=describe)
            except Exception:  # noqa: BLE001 - an explanation must never hide the problem
                return [describe(detailed, None)]
        # The detailed pass accepted what the fast pass refused: report the fast pass' error.
        return [describe(exc, None)]


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
