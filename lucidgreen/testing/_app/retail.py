"""LucidRetail v1.2 routes, with the documented error bodies.

Where the docs show no body (or no path), the choice made here is marked *inferred* in the
handler's docstring.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from lucidgreen.ids import from_uuid

from .._state.records import CaseImport, Collection, InventoryCollection, Transaction
from . import serializers as views
from .export import export_path, latest_export_day
from .form import Form
from .reply import HttpError, Reply
from .routing import SHORTUUID, Ctx, Route, get_or_404, not_found
from .source import case_get

__all__ = ["RETAIL_ROUTES"]

_P = "/api/v1.2"
_ALREADY_PROCESSED = {"message": "This transaction has already been processed."}
_SCANNED_ELSEWHERE = {"detail": "This case has already been scanned for another dispensary."}


def _success(ctx: Ctx) -> Reply:
    """The generic success body of the responses page."""
    return Reply.json(200, {"status": "success", "request_id": ctx.arrival.request_id})


def _case(ctx: Ctx, case_uuid: str) -> Collection:
    """*Inferred*: an unknown CaseID in a body is a 400 field error, not a 404."""
    case = ctx.state.collections.get(case_uuid)
    if case is None or case.collection_type != "case":
        raise HttpError.json(400, {"case_uuid": ["CaseID not found."]})
    return case


def products_get(ctx: Ctx) -> Reply:
    product = get_or_404(ctx, ctx.state.products, ctx.params["uuid"])
    return Reply.json(200, views.retail_product(product, ctx.media))


def batches_get(ctx: Ctx) -> Reply:
    batch = get_or_404(ctx, ctx.state.batches, ctx.params["uuid"])
    return Reply.json(200, views.retail_batch(batch, ctx.state, ctx.media))


def brands_get(ctx: Ctx) -> Reply:
    """*Inferred path* ``/api/v1.2/brands/<uuid>/`` ("Brand Detail" on the rate-limit page)."""
    brand = get_or_404(ctx, ctx.state.brands, ctx.params["uuid"])
    return Reply.json(200, views.brand_detail(brand, ctx.media))


def caseids_import(ctx: Ctx) -> Reply:
    form = Form(ctx.payload())
    case_uuid, packaged_uuid, pos_product_id, pos_inventory_id, package_uid = form.texts(
        "case_uuid", "packaged_product_uuid", "pos_product_id", "pos_inventory_id", "package_uid"
    )
    sku = form.optional("sku")
    form.check()
    case = _case(ctx, case_uuid)
    if case.uuid in ctx.state.cases_scanned_elsewhere:
        raise HttpError.json(400, _SCANNED_ELSEWHERE)
    lucid_ids = [
        lid
        for lid in case.current_ids()
        if lid in ctx.state.items and ctx.state.items[lid].packaged_product_uuid == packaged_uuid
    ]
    if not lucid_ids:
        raise HttpError.json(
            400, {"packaged_product_uuid": ["Packaged product is not in this CaseID."]}
        )
    for done in ctx.state.imports:
        if done.case_uuid == case.uuid and done.packaged_product_uuid == packaged_uuid:
            detail = (
                f"Items in CaseID {case.uuid} are already imported into inventory "
                f"{done.package_uid}."
            )
            raise HttpError.json(400, {"detail": detail})
    ctx.state.imports.append(
        CaseImport(
            case.uuid, packaged_uuid, package_uid, pos_product_id, pos_inventory_id, sku, lucid_ids
        )
    )
    return Reply.json(
        200,
        {
            "case_uuid": case.uuid,
            "packaged_product_uuid": packaged_uuid,
            "package_uid": package_uid,
        },
    )


def caseids_import_remove(ctx: Ctx) -> Reply:
    """200 with the generic success body (*inferred*: the docs show none)."""
    form = Form(ctx.payload())
    case_uuid, package_uid = form.texts("case_uuid", "package_uid")
    packaged_uuid = form.optional("packaged_product_uuid")
    form.check()
    matches = [
        imp
        for imp in ctx.state.imports
        if imp.case_uuid == case_uuid
        and imp.package_uid == package_uid
        and (packaged_uuid is None or imp.packaged_product_uuid == packaged_uuid)
    ]
    if not matches:
        detail = f"POS Package UID not found for package_uid={package_uid}."
        raise HttpError.json(400, {"detail": detail})
    ctx.state.imports[:] = [imp for imp in ctx.state.imports if imp not in matches]
    return _success(ctx)


def transactions_complete(ctx: Ctx) -> Reply:
    """The five documented 400 bodies, checked in this order: missing ``items`` (bare list),
    field errors, duplicate ``order_id``, malformed LucidIDs, unknown/invalid LucidIDs
    (*inferred*: "invalid" means a LucidID of a case scanned by another dispensary),
    non-imported LucidIDs. The duplicate check comes early so a resent request is always
    recognised, whatever happened to its items since.
    """
    data = ctx.payload()
    if not data.get("items"):
        raise HttpError.json(
            400, ["items should be specified when transaction type is complete or return."]
        )
    form = Form(data)
    performed_at, order_id = form.datetime("performed_at"), form.text("order_id")
    items = form.text_list("items")
    customer_id, budtender_id = form.optionals("customer_id", "budtender_id")
    form.check()
    state = ctx.state
    if order_id in state.transactions:
        raise HttpError.json(400, _ALREADY_PROCESSED)
    malformed = [lid for lid in items if not SHORTUUID.fullmatch(lid)]
    if malformed:
        raise HttpError.json(400, {"items": {"Invalid LucidIDs": malformed}})
    foreign_ids = {
        lid for uid in state.cases_scanned_elsewhere if uid in state.collections
        for lid in state.collections[uid].current_ids()
    }  # fmt: skip
    unknown = [lid for lid in items if lid not in state.items]
    invalid = [lid for lid in items if lid in state.items and lid in foreign_ids]
    if unknown or invalid:
        valid = [lid for lid in items if lid not in unknown and lid not in invalid]
        raise HttpError.json(
            400, {"items": {"invalid": invalid, "unknown": unknown, "valid": valid}}
        )
    missing = [lid for lid in items if not state.in_inventory(lid)]
    if missing:
        raise HttpError.json(
            400,
            {
                "message": "This transaction contains non-imported lucid ids.",
                "non_imported_lucidids": missing,
                "valid_transaction": False,
            },
        )
    state.transactions[order_id] = Transaction(
        order_id, performed_at, items, customer_id, budtender_id, ctx.arrival.request_id
    )
    return _success(ctx)


def transactions_void(ctx: Ctx) -> Reply:
    """*Inferred* (the docs are cut off): ``performed_at`` and ``order_id`` required; an
    unknown order is a 400 ``detail``; voiding twice is the duplicate ``message``.
    """
    form = Form(ctx.payload())
    performed_at, order_id = form.datetime("performed_at"), form.text("order_id")
    form.optionals("customer_id", "budtender_id")  # checked, not kept
    form.check()
    transaction = ctx.state.transactions.get(order_id)
    if transaction is None:
        raise HttpError.json(400, {"detail": f"Transaction with order_id={order_id} not found."})
    if transaction.voided_at is not None:
        raise HttpError.json(400, _ALREADY_PROCESSED)
    transaction.voided_at = performed_at
    transaction.void_request_id = ctx.arrival.request_id
    return _success(ctx)


def package_uids_export(ctx: Ctx) -> Reply:
    """Status order and knobs: see :class:`lucidgreen.testing.ExportSettings`."""
    settings = ctx.app.export
    if not ctx.state.dispensary_linked or not settings.enabled:
        error = "API Key is not associated with a dispensary, or this feature is not enabled."
        raise HttpError.json(428, {"error": error})
    today = settings.current_day()
    raw = ctx.request.query.get("export_date")
    if raw:
        day = _parse_day(raw)
        if day > today:
            raise HttpError.json(400, {"error": "export_date specified is a future date."})
    else:
        day = latest_export_day(settings)
    if settings.failed:
        raise HttpError.json(422, {"error": "Failed to export package uids."})
    if day < today - timedelta(days=settings.history_days) or day in settings.missing_dates:
        raise HttpError.json(404, {"error": "Export is not available."})
    if settings.pending_polls > 0:
        settings.pending_polls -= 1
        return Reply.json(202, {"error": "Export is still in progress. Try again later."})
    path = export_path(ctx.state.dispensary_uuid, day)
    return Reply.json(200, {"export_url": ctx.app.signer.sign(ctx.media, path, settings.url_ttl)})


def _parse_day(raw: str) -> date:
    """Strict ``YYYY-MM-DD`` (``date.fromisoformat`` alone also takes ``20250101``)."""
    error = HttpError.json(400, {"error": "export_date must be a date in YYYY-MM-DD format."})
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise error
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise error from exc


def inventory_add_items(ctx: Ctx) -> Reply:
    """Documented 400 cases (bodies *inferred*), plus the responses page's invalid-payload
    body for LucidIDs that do not exist at all.
    """
    state = ctx.state
    if ctx.params["dispensary_uuid"] != state.dispensary_uuid:
        raise HttpError.json(403, {"detail": "You do not have permission to perform this action."})
    form = Form(ctx.payload())
    case_uuid, lucid_ids = form.text("case_uuid"), form.text_list("lucid_ids")
    identifier, item_id, product_id, hostname = form.optionals(
        "inventory_collection_identifier",
        "internal_inventory_item_id",
        "internal_catalog_product_id",
        "hostname",
    )
    form.check()
    case = _case(ctx, case_uuid)
    if case.uuid in state.cases_scanned_elsewhere:
        raise HttpError.json(400, _SCANNED_ELSEWHERE)
    members = case.current_ids()
    if not members:
        raise HttpError.json(400, {"detail": f"CaseID {case.uuid} is empty."})
    if any(lid not in state.items for lid in lucid_ids):
        raise HttpError.json(
            400, {"status": "invalid payload", "reason": {"items": ["Unknown LucidID(s)."]}}
        )
    if any(lid not in members for lid in lucid_ids):
        raise HttpError.json(400, {"detail": f"Some LucidIDs are not in CaseID {case.uuid}."})
    if len({state.items[lid].packaged_product_uuid for lid in lucid_ids}) > 1:
        detail = "All LucidIDs must belong to the same product and batch."
        raise HttpError.json(400, {"detail": detail})
    existing = state.inventory_collections.get(identifier or "")
    if existing is not None and not existing.is_removed:
        existing.lucid_ids.extend(lid for lid in lucid_ids if lid not in existing.lucid_ids)
        target = existing
    else:
        if not identifier or existing is not None:
            # None given, or a removed collection: a fresh, random identifier.
            identifier = from_uuid(uuid.UUID(int=ctx.app.rng.getrandbits(128)))
        target = InventoryCollection(
            identifier, case.uuid, list(lucid_ids), item_id, product_id, hostname
        )
        state.inventory_collections[identifier] = target
    return Reply.json(200, {"inventory_collection_identifier": target.identifier})


def lucid_id_lookup(ctx: Ctx) -> Reply:
    """Unauthenticated (Authorization ignored), rate-limited per IP."""
    found = ctx.state.inventory_collection_of(ctx.params["lucid_id"])
    if found is None:
        raise not_found()
    return Reply.json(200, {"inventory_collection_identifier": found.identifier})


RETAIL_ROUTES = [
    Route(f"{_P}/products/{{uuid}}/", "retail", {"GET": products_get}),
    Route(f"{_P}/batches/{{uuid}}/", "retail", {"GET": batches_get}),
    Route(f"{_P}/brands/{{uuid}}/", "retail", {"GET": brands_get}),
    Route(f"{_P}/collections/case/{{key}}/", "retail", {"GET": case_get}),
    Route(f"{_P}/caseids/import/", "retail", {"POST": caseids_import}),
    Route(f"{_P}/caseids/import/remove/", "retail", {"POST": caseids_import_remove}),
    Route(f"{_P}/transactions/complete/", "retail", {"POST": transactions_complete}),
    Route(f"{_P}/transactions/void/", "retail", {"POST": transactions_void}),
    Route(f"{_P}/package-uids-export/", "retail", {"GET": package_uids_export}),
    Route(
        f"{_P}/collections/inventory-pos/lucid-id/{{lucid_id:sid}}/",
        "public",
        {"GET": lucid_id_lookup},
    ),
    Route(
        f"{_P}/collections/inventory-pos/{{dispensary_uuid:sid}}/add-items/",
        "retail",
        {"POST": inventory_add_items},
    ),
]
