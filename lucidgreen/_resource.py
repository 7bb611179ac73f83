"""The base of every resource namespace: typed GETs, lists and writes over :class:`Api`.

:class:`Api` speaks HTTP and plain JSON; a :class:`Resource` structures answers into the
product's models and unstructures the models it sends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from . import _envelopes
from ._api import Api, Params
from ._converter import structure, structure_list, unstructure
from ._list_options import ListOptions, OnePageListOptions, checked
from ._pager import AsyncPager
from ._transport import Response
from ._unclear import as_unclear
from .errors import DecodeError
from .retry import Replay

__all__ = ["Resource", "write_decoding"]

T = TypeVar("T")


@contextmanager
def write_decoding(replay: Replay) -> Iterator[None]:
    """Around the decoding of a write's 2xx answer: a :class:`DecodeError` of a write the
    SDK will not resend (``Replay.UNSAFE``) says the server may have applied it.

    The answer was a success status, so the server most likely acted; only its body is
    unreadable. ``outcome_unknown`` tells the caller to check before sending it again.
    """
    try:
        yield
    except DecodeError as exc:
        if replay is not Replay.UNSAFE or exc.outcome_unknown:
            raise
        unclear = DecodeError(
            f"{exc} (the server answered HTTP {exc.status or '2xx'} and may have applied "
            "this write: check its state before sending it again)",
            text=exc.text,
            status=exc.status,
            outcome_unknown=True,
        )
        raise as_unclear(unclear) from exc


class Resource:
    """A namespace of endpoint methods (``client.products``, ``client.transactions``...).

    Each public method is declared an SDK call with :func:`~lucidgreen._instrument.sdk_call`,
    named after where the client mounts the namespace (``api.namespace``).
    """

    def __init__(self, api: Api) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<{type(self).__name__} on {self._api.base_url}>"

    async def _get(
        self, path: str, model: type[T], *, params: Params = None, public: bool = False
    ) -> T:
        data = await self._api.get_object(path, params=params, public=public)
        return structure(data, model)

    def _list(
        self,
        path: str,
        model: type[T],
        options: OnePageListOptions,
        *,
        accepts: type[OnePageListOptions] = ListOptions,
        params: Params = None,
    ) -> AsyncPager[T]:
        """A pager of ``model`` records over ``path``, walked as the caller's ``options`` say
        (its ``**options``, whole: a key it does not declare in ``accepts`` is refused here
        with ``TypeError``, never taken for another argument)."""
        checked(options, accepts, f"{type(self).__name__}.list")

        def decode(results: list[Any]) -> Sequence[T]:
            return structure_list(results, model)

        return self._api.pager(path, decode, params=params, **options)

    async def _post(self, path: str, body: Any, *, replay: Replay = Replay.UNSAFE) -> Response:
        return await self._api.post(path, unstructure(body), replay=replay)

    async def _post_for(
        self, path: str, body: Any, model: type[T], *, replay: Replay = Replay.UNSAFE
    ) -> T:
        """POST ``body`` and structure the 2xx answer as ``model`` (see :func:`write_decoding`)."""
        response = await self._post(path, body, replay=replay)
        with write_decoding(replay):
            data = _envelopes.decode_object(response.status, response.headers, response.body)
            return structure(data, model, status=response.status)
