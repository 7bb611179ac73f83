"""docs/configuration.md lists every constructor keyword and every environment variable."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from lucidgreen._client import BaseClient
from lucidgreen._logging import ENV_LOG
from lucidgreen._settings import variable_names

DOC = (Path(__file__).parents[3] / "docs" / "configuration.md").read_text(encoding="utf-8")
KEYWORDS = [name for name in inspect.signature(BaseClient.__init__).parameters if name != "self"]
SETTINGS = ("CLIENT_ID", "CLIENT_SECRET", "TOKEN", "ENVIRONMENT", "BASE_URL")
VARIABLES = sorted(
    {
        name
        for product in ("source", "retail")
        for s in SETTINGS
        for name in variable_names(product, s)
    }
    | {ENV_LOG, "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"}
)


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_every_constructor_keyword_is_documented(keyword: str) -> None:
    assert re.search(rf"`{keyword}`", DOC), keyword


@pytest.mark.parametrize("variable", VARIABLES)
def test_every_variable_is_documented(variable: str) -> None:
    assert f"`{variable}`" in DOC, variable


def test_the_settings_module_reads_no_variable_the_doc_omits() -> None:
    source = Path(inspect.getfile(variable_names)).read_text(encoding="utf-8")
    named = set(re.findall(r"variable_names\(product, \"([A-Z_]+)\"\)", source))
    assert named <= set(SETTINGS)
