# ruff: noqa: RUF059
"""Endless, compressed or dribbled bodies are capped and timed out; export parsing agrees
between download() and entries() and stays linear."""

from __future__ import annotations

import asyncio
import resource
import zlib
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, LID2, raw_server, retail, serve, source
from tests.support import collect


async def test_endless_body_is_capped() -> None:
    async def h(r: web.Request, n: int) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(r)
        chunk = b" " * 65536
        try:
            for _ in range(2000):
                await resp.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    async with serve(h) as (url, log), source(url, max_body_size=2**20) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await asyncio.wait_for(c.products.get(LID), 10)


def _bomb(kind: str, size: int) -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 31 if kind == "gzip" else 15)
    block = b"\0" * 2**20
    return b"".join(comp.compress(block) for _ in range(size // 2**20)) + comp.flush()


@pytest.mark.parametrize("kind", ["gzip", "deflate"])
async def test_compression_bomb_capped_in_memory(kind: str) -> None:
    """1.5 GiB of zeros compressed (~1.5 MB) sent in one go: DecodeError, RSS grows < 300 MB."""
    bomb = await asyncio.to_thread(_bomb, kind, 1536 * 2**20)

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Encoding": kind, "Content-Type": "application/json"}
        )

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    async with serve(h) as (url, log), source(url, max_body_size=2**20) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await asyncio.wait_for(c.products.get(LID), 20)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 300, f"peak RSS grew {grown_mb:.0f} MB"


@pytest.mark.slow
async def test_slowloris_answer_times_out() -> None:
    async def answer(w: asyncio.StreamWriter) -> None:
        w.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        for _ in range(200):
            w.write(b" ")
            await w.drain()
            await asyncio.sleep(0.05)

    async with raw_server(answer) as (url, seen), source(url, timeout=0.5) as c:
        with pytest.raises(lucidgreen.RequestTimeout):
            await asyncio.wait_for(c.products.get(LID), 5)


@pytest.mark.slow
async def test_export_entries_slowloris_ends() -> None:
    """The export file dribbles one byte per 0.05 s forever: entries() (timeout=0.5) ends
    with an SDK error within 5 s rather than hanging (issue 12: no hang)."""

    async def h(r: web.Request, n: int) -> web.StreamResponse:
        if "package-uids-export" in r.path:
            return web.json_response({"export_url": f"{r.url.origin()!s}/file.json?sig=x"})
        resp = web.StreamResponse()
        await resp.prepare(r)
        await resp.write(b'{"P": {"C": ["')
        try:
            for _ in range(130):
                if r.transport is None or r.transport.is_closing():
                    break  # the client hung up: stop dribbling, free the socket
                await resp.write(b"U")
                await asyncio.sleep(0.05)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    async with serve(h) as (url, log), retail(url, timeout=0.5) as c:
        export = await c.package_uids.export()

        async def read_all() -> None:
            from contextlib import aclosing

            async with aclosing(export.entries()) as it:  # type: ignore[type-var]
                async for _ in it:
                    pass

        with pytest.raises(lucidgreen.LucidGreenError):
            await asyncio.wait_for(read_all(), 5)


ODD_EXPORTS = [
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}} trailing',
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}}{"P2": {}}',
    b'[{"P1": {}}]',
    b'{"P1": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"P1": {"C1": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}, "P1": {"C2": ["' + LID2.encode() + b'"]}}',
    b'\xef\xbb\xbf{"P1": {"C1": ["' + LID.encode() + b'"]}}',
    b'{"P\\u0031": {"C\\u0031": ["' + LID.encode() + b'"]}}',
    b'{"P1": {"C1": [5]}}',
    b'{"P1": {"C1": NaN}}',
    b'{"P1": {"C1": ["\\ud800"]}}',
    b'{"P1": null}',
    b"",
    b"   ",
    b"{}",
    b'{"P1": {"C1": ["' + LID.encode() + b'"]},}',
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}',
    b'{"P1": {"C1": ["' + LID.encode() + b'", "' + LID.encode() + b'"]}}',
    b"{'P1': {}}",
]


@pytest.mark.parametrize("body", ODD_EXPORTS, ids=range(len(ODD_EXPORTS)))
async def test_export_download_and_entries_agree_on_odd_json(body: bytes) -> None:
    """download() and entries() either both give the same data or both raise DecodeError;
    never another exception type."""

    async def h(r: web.Request, n: int) -> web.Response:
        if "package-uids-export" in r.path:
            return web.json_response({"export_url": f"{r.url.origin()!s}/file.json?sig=x"})
        return web.Response(body=body, content_type="application/json")

    async with serve(h) as (url, log), retail(url) as c:
        export = await c.package_uids.export()
        try:
            whole: Any = await export.download()
            whole = {
                uid: {case: list(ids) for case, ids in cases.items()}
                for uid, cases in whole.items()
            }
        except lucidgreen.DecodeError:
            whole = "DecodeError"
        try:
            merged: dict[str, dict[str, list[str]]] = {}
            for e in await collect(export.entries()):
                merged.setdefault(e.package_uid, {})[e.case_id] = list(e.lucid_ids)
            streamed: Any = merged
        except lucidgreen.DecodeError:
            streamed = "DecodeError"
    assert whole == streamed
