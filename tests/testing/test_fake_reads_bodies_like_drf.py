"""The fake reads request bodies as Django REST Framework does: its parsers and CharField.

Code tested against the fake sees the 400 and 415 bodies the real API sends for a malformed
request, so its error handling is tested against the real shapes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lucidgreen.testing import FakeLucidGreen

REMOVE = "/api/v1.2/caseids/import/remove/"
COMPLETE = "/api/v1.2/transactions/complete/"
REQUIRED = ["This field is required."]


async def _post(session, fake: FakeLucidGreen, path: str, body: bytes, content_type: str):
    headers = {
        "Authorization": f"Bearer {fake.issue_token('retail')}",
        "Content-Type": content_type,
    }
    async with session.post(f"{fake.url}{path}", data=body, headers=headers) as response:
        return response.status, await response.json()


async def _post_json(session, fake: FakeLucidGreen, path: str, payload: Any):
    return await _post(session, fake, path, json.dumps(payload).encode(), "application/json")


async def test_a_body_that_is_not_json_is_a_parse_error(lucidgreen_fake, session) -> None:
    status, body = await _post(session, lucidgreen_fake, REMOVE, b"{not json", "application/json")
    assert status == 400
    assert body["detail"].startswith("JSON parse error - ")


async def test_an_unsupported_media_type_is_415_naming_it(lucidgreen_fake, session) -> None:
    status, body = await _post(session, lucidgreen_fake, REMOVE, b"case_uuid", "text/plain")
    assert (status, body) == (415, {"detail": 'Unsupported media type "text/plain" in request.'})


async def test_a_form_encoded_body_is_read_like_json(lucidgreen_fake, session) -> None:
    """Both fields arrive: the request fails only on the business rule, not on parsing."""
    form = b"case_uuid=C1&package_uid=PKG-9"
    status, body = await _post(
        session, lucidgreen_fake, REMOVE, form, "application/x-www-form-urlencoded"
    )
    assert (status, body) == (400, {"detail": "POS Package UID not found for package_uid=PKG-9."})


@pytest.mark.parametrize(("payload", "kind"), [([1, 2], "list"), ("text", "str"), (3, "int")])
async def test_json_that_is_not_an_object_is_refused_by_type(
    lucidgreen_fake, session, payload: Any, kind: str
) -> None:
    status, body = await _post_json(session, lucidgreen_fake, REMOVE, payload)
    assert (status, body) == (
        400,
        {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]},
    )


async def test_an_empty_body_is_an_empty_object(lucidgreen_fake, session) -> None:
    status, body = await _post(session, lucidgreen_fake, REMOVE, b"  ", "application/json")
    assert (status, body) == (400, {"case_uuid": REQUIRED, "package_uid": REQUIRED})


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"case_uuid": None}, {"case_uuid": ["This field may not be null."]}),
        ({"case_uuid": "   "}, {"case_uuid": ["This field may not be blank."]}),
        ({"case_uuid": {"a": 1}}, {"case_uuid": ["Not a valid string."]}),
        ({"case_uuid": True}, {"case_uuid": ["Not a valid string."]}),
        ({"packaged_product_uuid": [1]}, {"packaged_product_uuid": ["Not a valid string."]}),
    ],
)
async def test_char_fields_refuse_what_drf_refuses(
    lucidgreen_fake, session, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    payload = {"case_uuid": "C1", "package_uid": "PKG-9", **fields}
    assert await _post_json(session, lucidgreen_fake, REMOVE, payload) == (400, errors)


@pytest.mark.parametrize("number", [12, 1.5])
async def test_a_number_is_accepted_as_its_string(lucidgreen_fake, session, number) -> None:
    """DRF's CharField turns a number into text; so does the fake (the rule fails next)."""
    payload = {"case_uuid": "C1", "package_uid": number}
    status, body = await _post_json(session, lucidgreen_fake, REMOVE, payload)
    assert (status, body) == (
        400,
        {"detail": f"POS Package UID not found for package_uid={number}."},
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"items": "ABC"}, {"items": ['Expected a list of items but got type "str".']}),
        ({"items": [1, 2]}, {"items": ["Not a valid string."]}),
        (
            {"performed_at": "yesterday"},
            {
                "performed_at": [
                    (
                        "Datetime has wrong format. Use one of these formats instead: "
                        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                    )
                ]
            },
        ),
    ],
)
async def test_a_sale_with_a_malformed_field_is_refused_before_any_rule(
    lucidgreen_fake, session, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    payload = {
        "performed_at": "2026-12-07T10:00:00Z",
        "order_id": "ORDER-1",
        "items": ["Dg9VE6nVPr2SWWwYuxQkuq"],
        **fields,
    }
    assert await _post_json(session, lucidgreen_fake, COMPLETE, payload) == (400, errors)
    assert "ORDER-1" not in lucidgreen_fake.state.transactions
