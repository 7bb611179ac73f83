"""Secrets stay secret: no client secret or access token in logs, reprs or exception text, and
no Authorization header sent to any origin but the configured API's."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lucidgreen import (
    AuthenticationError,
    BadRequest,
    Hooks,
    NotFound,
    RetryPolicy,
    ServerError,
    SourceClient,
)
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen
from tests.adversarial.faults.scenario import SpyTransport
from tests.adversarial.support import reachable_text

PRODUCTS = "/api/v1.5/products/"


def _texts_of_record(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), repr(record.args), str(record.msg)]
    if record.exc_info and record.exc_info[1] is not None:
        texts.append(reachable_text(record.exc_info[1]))
    return texts


async def test_no_secret_in_logs_reprs_or_errors_and_no_token_leaves_the_origin(
    caplog: pytest.LogCaptureFixture, figures
) -> None:
    """A run with tokens, 401 renewal, retries, errors and an export leaks no secret anywhere."""
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    shown: list[Any] = []
    events: list[Any] = []
    hooks = Hooks(on_request=events.append, on_retry=events.append)
    async with FakeLucidGreen(products=25, page_size=10, rate_limits=False, seed=13) as fake:
        # next links name the CDN origin: followed only on the API origin.
        fake.faults.next_host = fake.cdn_url
        source_secret = fake.source_credentials.client_secret
        retail_secret = fake.retail_credentials.client_secret
        uuid = next(iter(fake.state.products))
        recorded = [SpyTransport.over_aiohttp(), SpyTransport.over_aiohttp()]
        source = fake.source_client(
            hooks=hooks, retry=RetryPolicy(max_retries=2), transport=recorded[0]
        )
        retail = fake.retail_client(hooks=hooks, transport=recorded[1])
        with without_sleeping():
            async with source, retail:
                shown += [source, retail, source._auth, retail._auth, source.products]
                pager = source.products.list(prefetch=2)
                shown.append(pager)
                shown += [page async for page in pager.pages()]
                fake.faults.script(f"{PRODUCTS}{uuid}/", [(503, None), (502, None)])
                shown.append(await source.products.get(uuid))
                shown.append(await retail.products.get(uuid))
                fake.expire_tokens()  # the next call of each client meets a 401 and renews
                shown.append(await source.products.get(uuid))
                fake.faults.script(f"{PRODUCTS}{uuid}/", [(503, None)] * 3)
                with pytest.raises(ServerError) as server_error:
                    await source.products.get(uuid)
                errors.append(server_error.value)
                with pytest.raises(NotFound) as not_found:
                    await source.products.get("2" * 22)
                errors.append(not_found.value)
                with pytest.raises(BadRequest) as bad_request:
                    await retail.transactions.void(
                        order_id="NOPE", performed_at=datetime(2025, 6, 1, tzinfo=UTC)
                    )
                errors.append(bad_request.value)
                shown.append(await retail.products.get(uuid))
                export = await retail.package_uids.export()
                # A presigned URL's signature is a credential too (anyone holding it can read
                # the file until it expires): kept out of reprs and logs like the token.
                signature = parse_qs(urlsplit(export.url).query)["X-Amz-Signature"][0]
                shown += [export, await export.download()]
                shown += [entry async for entry in export.entries()]
        # Refused credentials: the error names the client, never the secret it was given.
        wrong_secret = "not-the-secret-" + "s" * 40
        stranger = SourceClient(fake.source_credentials.client_id, wrong_secret, base_url=fake.url)
        shown.append(stranger)
        async with stranger:
            with pytest.raises(AuthenticationError) as refused:
                await stranger.products.get(uuid)
        errors.append(refused.value)
        shown += [fake.stats, source.stats, retail.stats, *events]
        shown += [item for r in recorded for item in r.seen]
        requests = list(fake.requests)

    tokens = {
        r.authorization.removeprefix("Bearer ")
        for r in requests
        if r.authorization and r.authorization.startswith("Bearer ")
    }
    secrets = {source_secret, retail_secret, wrong_secret, signature, *tokens}
    # Source, its renewal after the 401, Retail, its renewal: four tokens were used.
    assert len(tokens) == 4
    assert source.stats.replays_after_401 == retail.stats.replays_after_401 == 1
    assert len(signature) == 64

    texts = [t for record in caplog.records for t in _texts_of_record(record)]
    texts += [reachable_text(error) for error in errors]
    texts += [repr(value) for value in shown]
    assert any("Authorization" in t for t in texts)  # the headers were logged, redacted
    leaks = sorted({t[:200] for t in texts for secret in secrets if secret in t})
    assert leaks == []

    # Authorization went to the API origin only: never to the CDN (export file, next links).
    cdn = [r for r in requests if r.site == "cdn"]
    assert len(cdn) == 2  # download() and entries(), each fetching the presigned file
    assert all(r.authorization is None for r in cdn)
    api_authorized = [r for r in requests if r.authorization]
    assert all(r.site == "api" for r in api_authorized)
    figures(
        "secrets",
        {
            "log records checked": len(caplog.records),
            "exceptions checked": len(errors),
            "objects whose repr was checked": len(shown),
            "secrets and tokens searched": len(secrets),
            "leaks": len(leaks),
            "requests to the CDN with Authorization": sum(r.authorization is not None for r in cdn),
        },
    )
