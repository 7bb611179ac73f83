"""LucidSource v1.5 routes, as the API documents them."""

from __future__ import annotations

import base64
import binascii
import uuid

from lucidgreen.ids import from_uuid

from .._state.records import Asset
from .._state.seed import TEXT_USAGES
from .._state.state import ASSET_TYPES
from . import serializers as views
from .form import Form
from .reply import Reply
from .routing import Ctx, Route, get_or_404, not_found, paginate

__all__ = ["SOURCE_ROUTES"]

_P = "/api/v1.5"


def products_list(ctx: Ctx) -> Reply:
    return paginate(ctx, list(ctx.state.products.values()), views.product_summary)


def products_get(ctx: Ctx) -> Reply:
    product = get_or_404(ctx, ctx.state.products, ctx.params["uuid"])
    brand = ctx.state.brands.get(product.brand_uuid)
    return Reply.json(200, views.source_product(product, brand, ctx.media))


def batches_list(ctx: Ctx) -> Reply:
    return paginate(ctx, list(ctx.state.batches.values()), views.batch_summary)


def batches_get(ctx: Ctx) -> Reply:
    batch = get_or_404(ctx, ctx.state.batches, ctx.params["uuid"])
    return Reply.json(200, views.source_batch(batch, ctx.state, ctx.media))


def brands_list(ctx: Ctx) -> Reply:
    # Documented exception: a bare JSON array, not the pagination envelope.
    return Reply.json(200, [views.brand_summary(b) for b in ctx.state.brands.values()])


def brands_get(ctx: Ctx) -> Reply:
    brand = get_or_404(ctx, ctx.state.brands, ctx.params["uuid"])
    return Reply.json(200, views.brand_detail(brand, ctx.media))


def items_get(ctx: Ctx) -> Reply:
    item = get_or_404(ctx, ctx.state.items, ctx.params["uuid"])
    return Reply.json(200, views.item_detail(item, ctx.state))


def collections_get(ctx: Ctx) -> Reply:
    """By uuid or by the URL-decoded identifier (which may contain ``/`` and spaces)."""
    collection = ctx.state.find_collection(ctx.params["key"])
    if collection is None:
        raise not_found()
    get_or_404(ctx, ctx.state.collections, collection.uuid)
    return Reply.json(200, views.collection_detail(collection))


def case_get(ctx: Ctx) -> Reply:
    """The case document (Source and Retail share it); only ``case`` collections match."""
    case = ctx.state.find_collection(ctx.params["key"])
    if case is None or case.collection_type != "case":
        raise not_found()
    get_or_404(ctx, ctx.state.collections, case.uuid)
    return Reply.json(200, views.case_document(case, ctx.state))


def digital_coas_get(ctx: Ctx) -> Reply:
    coa = get_or_404(ctx, ctx.state.digital_coas, ctx.params["uuid"])
    return Reply.json(200, views.coa_detail(coa, ctx.state, ctx.media))


def _assets_of(ctx: Ctx) -> dict[str, Asset]:
    asset_type = ctx.params["asset_type"]
    if asset_type not in ASSET_TYPES:
        raise not_found()
    return ctx.state.assets[asset_type]


def assets_list(ctx: Ctx) -> Reply:
    rows = list(_assets_of(ctx).values())
    return paginate(ctx, rows, lambda a: views.asset(a, ctx.media))


def assets_get(ctx: Ctx) -> Reply:
    found = get_or_404(ctx, _assets_of(ctx), ctx.params["uuid"])
    return Reply.json(200, views.asset(found, ctx.media))


def assets_create(ctx: Ctx) -> Reply:
    """201 with the created asset; 400 DRF field errors for missing or invalid fields."""
    assets = _assets_of(ctx)
    asset_type = ctx.params["asset_type"]
    form = Form(ctx.payload())
    name, content = form.texts("name", "content")
    description, usage = form.optionals("description", "usage")
    if asset_type == "texts" and usage is not None and usage not in TEXT_USAGES:
        form.errors["usage"] = [f'"{usage}" is not a valid choice.']
    blob: bytes | None = None
    if asset_type != "texts" and content and "content" not in form.errors:
        try:
            blob = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            form.errors["content"] = ["Content must be base64-encoded file data."]
    form.check()
    uid = from_uuid(uuid.UUID(int=ctx.app.rng.getrandbits(128), version=4))
    ext = {"images": "png", "videos": "mp4", "files": "pdf"}.get(asset_type, "")
    asset = Asset(
        uuid=uid,
        asset_type=asset_type,
        name=name,
        content=content if asset_type == "texts" else f"/media/assets/{uid}.{ext}",
        # Each type keeps only its own optional field, as the docs describe.
        description=description if asset_type == "videos" else None,
        usage=usage if asset_type == "texts" else None,
        data=blob,
    )
    assets[uid] = asset
    return Reply.json(201, views.asset(asset, ctx.media))


def assets_delete(ctx: Ctx) -> Reply:
    """The documented path says ``text`` (singular); only text assets can be deleted."""
    texts = ctx.state.assets["texts"]
    get_or_404(ctx, texts, ctx.params["uuid"])
    del texts[ctx.params["uuid"]]
    return Reply.empty(204)


SOURCE_ROUTES = [
    Route(f"{_P}/products/", "source", {"GET": products_list}),
    Route(f"{_P}/products/{{uuid}}/", "source", {"GET": products_get}),
    Route(f"{_P}/batches/", "source", {"GET": batches_list}),
    Route(f"{_P}/batches/{{uuid}}/", "source", {"GET": batches_get}),
    Route(f"{_P}/brands/", "source", {"GET": brands_list}),
    Route(f"{_P}/brands/{{uuid}}/", "source", {"GET": brands_get}),
    Route(f"{_P}/items/{{uuid}}/", "source", {"GET": items_get}),
    Route(f"{_P}/collections/case/{{key}}/", "source", {"GET": case_get}),
    Route(f"{_P}/collections/{{key}}/", "source", {"GET": collections_get}),
    Route(f"{_P}/digital_coas/{{uuid}}/", "source", {"GET": digital_coas_get}),
    Route(f"{_P}/assets/text/{{uuid}}/delete/", "source", {"DELETE": assets_delete}),
    Route(f"{_P}/assets/{{asset_type}}/create/", "source", {"POST": assets_create}),
    Route(f"{_P}/assets/{{asset_type}}/", "source", {"GET": assets_list}),
    Route(f"{_P}/assets/{{asset_type}}/{{uuid}}/", "source", {"GET": assets_get}),
]
