"""A proxy URL's password never reaches the error that refuses the proxy."""

from __future__ import annotations

import pytest

from lucidgreen import SourceClient

PASSWORD = "s3cretPROXYpw"


@pytest.mark.parametrize(
    "proxy",
    [f"http://user:{PASSWORD}@proxy.example:99999", f"http://user:{PASSWORD}@pro xy.example"],
)
def test_a_refused_proxy_is_named_without_its_password(proxy: str) -> None:
    with pytest.raises(ValueError, match="proxy") as caught:
        SourceClient(token="t", proxy=proxy)
    assert PASSWORD not in f"{caught.value} {caught.value!r}"
