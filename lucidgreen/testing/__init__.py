"""Test helpers for code that uses ``lucidgreen``: a faithful fake of both LucidGreen APIs.

:class:`FakeLucidGreen` serves LucidSource (``/api/v1.5/``), LucidRetail (``/api/v1.2/``)
and ``/o/token/`` on a loopback port, plus a second origin (``cdn_url``) for presigned export
files. Its data is generated from a seed; its rate limits, token expiry and faults are knobs::

    from lucidgreen.testing import FakeLucidGreen, RateLimit

    async with FakeLucidGreen(products=30, page_size=10,
                              source_limit=RateLimit(60, window=1.5)) as fake:
        fake.faults.script("/api/v1.5/products/", [(503, None)])   # one 503, then real
        client_id, client_secret = fake.source_credentials
        ...  # point the client at fake.url
        assert fake.stats.by_status[503] == 1

Every fake holds the documentation's example product (:data:`EXAMPLE_PRODUCT_UUID`) and one
case in the dispensary's inventory: ``fake.sellable_lucid_ids()`` can be sold at once, and
``fake.add_inventory()`` stocks another case. ``fake.summary()`` (``GET /__fake__/summary``)
reports requests, 429s from the limiter vs injected, and faults.

With pytest, the ``lucidgreen_fake`` fixture (from the ``lucidgreen`` pytest plugin) gives a
started fake per test; ``@pytest.mark.lucidgreen_fake(products=500, rate_limits=True)``
customises it. Run ``python -m lucidgreen.testing --help`` to serve it from a shell.

For unit tests without a server, :class:`MockTransport` hands a client a function
``request -> response`` (``SourceClient(token="t", transport=MockTransport(handler))``).

The fake imports only aiohttp, attrs, shortuuid and the standard library (never the SDK's
client), so it serves any HTTP client.
"""

from .._transport import Request, Response
from ._app.export import ExportSettings
from ._faults import DropMode, Faults, ScriptStep, TruncateMode
from ._middleware.auth import Credentials, TokenInfo
from ._middleware.throttle import RateLimit, Throttle
from ._mock import MockTransport, json_response
from ._recorder import RecordedRequest, RequestLog, Stats
from ._server import SUMMARY_PATH, FakeLucidGreen
from ._state.inventory import Stock
from ._state.records import (
    Asset,
    Batch,
    Brand,
    CaseImport,
    Collection,
    DigitalCOA,
    InventoryCollection,
    Item,
    Lab,
    MediaFile,
    Membership,
    PackagedProduct,
    Product,
    Transaction,
)
from ._state.seed import EXAMPLE_PRODUCT_UUID
from ._state.state import ASSET_TYPES, FakeState

__all__ = [
    "ASSET_TYPES",
    "EXAMPLE_PRODUCT_UUID",
    "SUMMARY_PATH",
    "Asset",
    "Batch",
    "Brand",
    "CaseImport",
    "Collection",
    "Credentials",
    "DigitalCOA",
    "DropMode",
    "ExportSettings",
    "FakeLucidGreen",
    "FakeState",
    "Faults",
    "InventoryCollection",
    "Item",
    "Lab",
    "MediaFile",
    "Membership",
    "MockTransport",
    "PackagedProduct",
    "Product",
    "RateLimit",
    "RecordedRequest",
    "Request",
    "RequestLog",
    "Response",
    "ScriptStep",
    "Stats",
    "Stock",
    "Throttle",
    "TokenInfo",
    "Transaction",
    "TruncateMode",
    "json_response",
]
