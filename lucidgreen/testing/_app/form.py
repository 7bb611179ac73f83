"""A request body read the way a DRF serializer reads it: field by field, every problem noted
against its field, and all of them answered at once as one 400."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .reply import HttpError

__all__ = ["Form"]

JSON = dict[str, Any]

_WRONG_DATETIME = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


def _is_text(value: object) -> bool:
    """What a DRF ``CharField`` takes: a string or a number, never a bool."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


class Form:
    """The fields of one request body. A read with a problem records it in :attr:`errors` (in
    the order the fields were read, which is the 400's order) and returns a blank value;
    :meth:`check` then raises them all, as ``is_valid(raise_exception=True)`` does."""

    __slots__ = ("data", "errors")

    def __init__(self, data: JSON) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def check(self) -> None:
        """The 400 with every field error, if any field had one."""
        if self.errors:
            raise HttpError.json(400, self.errors)

    def text(self, name: str) -> str:
        """A required DRF ``CharField``, stripped ("" when it has a problem)."""
        value = self._value(name, required=True)
        if value is None:
            return ""
        if not _is_text(value):
            self.errors[name] = ["Not a valid string."]
            return ""
        text = str(value).strip()
        if not text:
            self.errors[name] = ["This field may not be blank."]
        return text

    def texts(self, *names: str) -> list[str]:
        """Several required ``CharField`` s, read in this order."""
        return [self.text(name) for name in names]

    def optional(self, name: str) -> str | None:
        """A ``CharField(required=False, allow_null=True)``."""
        value = self._value(name, required=False)
        if value is None:
            return None
        if not _is_text(value):
            self.errors[name] = ["Not a valid string."]
            return None
        return str(value)

    def optionals(self, *names: str) -> list[str | None]:
        """Several optional ``CharField`` s, read in this order."""
        return [self.optional(name) for name in names]

    def text_list(self, name: str) -> list[str]:
        """A required ``ListField(child=CharField())`` ([] when it has a problem)."""
        value = self._value(name, required=True)
        if value is None:
            return []
        if not isinstance(value, list):
            self.errors[name] = [f'Expected a list of items but got type "{type(value).__name__}".']
            return []
        if not all(isinstance(v, str) for v in value):
            self.errors[name] = ["Not a valid string."]
            return []
        return list(value)

    def datetime(self, name: str) -> str:
        """A required ``DateTimeField``, kept as the ISO text it was sent as."""
        value = self.text(name)
        if value and name not in self.errors:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                self.errors[name] = [_WRONG_DATETIME]
        return value

    def _value(self, name: str, *, required: bool) -> Any:
        if name not in self.data:
            if required:
                self.errors[name] = ["This field is required."]
            return None
        value = self.data[name]
        if value is None and required:
            self.errors[name] = ["This field may not be null."]
        return value
