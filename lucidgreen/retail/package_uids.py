"""LucidRetail daily package-UID export: ``/api/v1.2/package-uids-export/``.

LucidRetail builds the export once a day (it can take 30 minutes). ``export()`` asks for the
file's location, polling while the server answers 202; the file itself sits behind a
pre-signed CDN URL, fetched *without* the Authorization header (a presigned URL carries its
own signature, and the bearer token must never travel to another origin) and without
spending the API key's rate-limit budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from .. import _envelopes, retry
from .._api import Api
from .._converter import structure
from .._instrument import call_name_of, sdk_call
from .._resource import Resource
from .._secrets import echoed_secrets
from .._transport import Request
from ..errors import (
    APIError,
    DispensaryNotConfigured,
    ExportFailed,
    ExportNotReady,
    ExportUnavailable,
    retyped,
    scrubbed,
)
from ._export_file import ExportEntry, ExportFileParser
from ._export_url import check_download_url
from .models import PackageUIDExport

__all__ = ["ExportEntry", "PackageExport", "PackageUIDMap", "PackageUIDs"]

PackageUIDMap = dict[str, dict[str, list[str]]]
"""package UID -> CaseID -> LucidIDs."""

_TYPED_ERRORS: dict[int, type[APIError]] = {
    404: ExportUnavailable,
    422: ExportFailed,
    428: DispensaryNotConfigured,
}


def _export_date(value: date | str | None, *, today: date) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"export_date must be YYYY-MM-DD, got {value!r}") from None
    if isinstance(value, datetime):
        value = value.date()
    if value > today:
        raise ValueError(f"export_date {value} is in the future; exports exist only for past days")
    return value.isoformat()


class PackageExport:
    """A ready export: its pre-signed URL and the ways to read the file."""

    def __init__(self, api: Api, *, url: str, export_date: str | None) -> None:
        # The export's own Api (serving ``package_uids``): the download is the call
        # ``retail.package_uids.download`` in traces.
        self._api = api
        self.url = url
        self.export_date = export_date

    def __repr__(self) -> str:
        # The query string of a presigned URL is its signature: keep it out of reprs/logs.
        parts = urlsplit(self.url)
        where = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return f"PackageExport({where}, date={self.export_date})"

    def _request(self) -> Request:
        """The download request; ``DecodeError`` at once for a URL it may not go to."""
        url = check_download_url(self.url)
        return Request("GET", url, headers={"Accept": "application/json"}, authenticated=False)

    @sdk_call
    async def download(self) -> PackageUIDMap:
        """The whole file as ``{package_uid: {case_id: [lucid_id, ...]}}``.

        Retried like any read. The file is read into memory, so it is bound by the client's
        ``max_body_size`` (64 MiB by default: past it, ``DecodeError``); for very large files
        prefer :meth:`entries`, which streams. Both download only from https (or a loopback
        host), redirects included, never with the Authorization header; any other
        ``export_url`` raises ``DecodeError`` before anything is sent.
        """
        response = await self._api.pipeline.send(self._request(), limiter=None)
        packages: PackageUIDMap = {}

        def keep(batch: PackageUIDMap) -> None:
            if packages.keys().isdisjoint(batch):
                packages.update(batch)
                return
            for package_uid, cases in batch.items():
                # A package listed twice has the CaseIDs of both, as entries() yields them.
                packages.setdefault(package_uid, {}).update(cases)

        parser = ExportFileParser(on_packages=keep, entries=False)
        parser.feed(response.body)  # with the garbage collector paused (see collector_paused)
        parser.close()
        return packages

    async def entries(self, *, chunk_size: int = 65536) -> AsyncIterator[ExportEntry]:
        """The file's CaseIDs one by one, streamed: memory stays bounded by one package
        (at most 64 Mi characters of JSON; a larger one is a ``DecodeError``).

        Not retried: a failure mid-stream raises, since entries were already handed out.
        """
        request = self._request()
        name = call_name_of(self._api, PackageExport.entries)
        async with self._api.pipeline.stream(request, name=name) as stream:
            if not 200 <= stream.status < 300:
                body = await stream.read()
                error = _envelopes.error_for(
                    stream.status,
                    stream.headers,
                    body,
                    now=datetime.now(UTC).timestamp(),
                    method="GET",
                    url=self.url,
                )
                if error is not None:  # always: error_for answers None only for a 2xx
                    answered = getattr(stream, "url", None)  # redirected: a signed URL too
                    raise scrubbed(error, echoed_secrets(request, None, error, answered=answered))
            parser = ExportFileParser()
            async for chunk in stream.iter_chunks(chunk_size):
                for entry in parser.feed(chunk):
                    yield entry
            parser.close()


class PackageUIDs(Resource):
    """``retail.package_uids``: the daily package-UID export of the dispensary."""

    @sdk_call
    async def export(
        self,
        export_date: date | str | None = None,
        *,
        wait: bool = True,
        timeout: float = 1800.0,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
    ) -> PackageExport:
        """The export for ``export_date`` (default: the most recent one).

        While LucidRetail answers 202 (still processing), polls after ``poll_interval``
        seconds, doubling up to ``max_poll_interval``, until ``timeout`` seconds have passed;
        then raises :class:`~lucidgreen.ExportNotReady` (at once with ``wait=False``).
        A future date is refused locally with ``ValueError``. 404, 422 and 428 raise
        :class:`~lucidgreen.ExportUnavailable`, :class:`~lucidgreen.ExportFailed` and
        :class:`~lucidgreen.DispensaryNotConfigured` with the server's ``error`` text.
        """
        day = _export_date(export_date, today=datetime.now(UTC).date())
        path = self._api.path("package-uids-export")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delays = retry.poll_delays(poll_interval, max_poll_interval)
        while True:
            try:
                response = await self._api.get(path, params={"export_date": day})
            except APIError as exc:
                typed = _TYPED_ERRORS.get(exc.status)
                if typed is None or isinstance(exc, typed):
                    raise
                raise retyped(exc, typed) from exc
            if response.status != 202:
                data = _envelopes.decode_object(response.status, response.headers, response.body)
                found = structure(data, PackageUIDExport)
                return PackageExport(self._api, url=found.export_url, export_date=day)
            delay = next(delays)
            if not wait or loop.time() + delay > deadline:
                raise ExportNotReady(
                    f"the package-UID export{f' for {day}' if day else ''} is still "
                    f"processing after {timeout:.0f} s",
                    status=202,
                    body=response.text,
                    data=_envelopes.lenient_json(response.body),
                    headers=response.headers,
                    request_id=response.request_id,
                )
            await retry.sleep(delay)
