"""Any string the API can send (a lone surrogate, ``"caf\\ud800"``, is valid JSON) comes out
as valid UTF-8 JSON: in export lines, through ``--resume``, in ``get`` and in ``to_json``.

The rule: characters are kept as UTF-8, and a surrogate code point, which UTF-8 cannot
carry, is written as its ``\\uXXXX`` JSON escape (what ``json.dumps`` does for it with
``ensure_ascii=True``), so the text decodes back to the same string.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lucidgreen import to_json
from lucidgreen._converter import structure
from lucidgreen.cli._export import CursorFile, to_json_line
from lucidgreen.source.models import ProductSummary
from tests.cli.helpers import source_args

PRODUCTS = "/api/v1.5/products/"
ODD_NAMES = ["caf\ud800", "\udfff", "a\\\ud800b", "\ud83d", "x\udc00\ud800y"]

#: Any code point, surrogates often (hypothesis's characters() leaves them out), and the
#: characters JSON escapes itself, which an inserted escape must not be confused with.
any_text = st.text(
    st.one_of(
        st.characters(),
        st.integers(0xD800, 0xDFFF).map(chr),
        st.sampled_from('\\"\n\x00'),
    ),
    max_size=40,
)


def as_json_reads_it(text: str) -> str:
    """What JSON means by ``text``'s UTF-16 code units: a high and a low surrogate side by side
    are one character there (JSON cannot spell them apart), a lone one stays itself."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def strict_lines(path: Path) -> list[dict[str, object]]:
    text = path.read_bytes().decode("utf-8")  # strict: invalid UTF-8 fails here
    return [json.loads(line) for line in text.splitlines()]


@given(key=any_text, value=any_text)
def test_a_json_line_is_valid_utf8_for_any_string(key: str, value: str) -> None:
    """Keys and values, nested: the line is strict UTF-8 and reads back as the same data."""
    line = to_json_line({key: [value, {"nested": value}]})
    assert line.endswith(b"\n")
    expected = {
        as_json_reads_it(key): [as_json_reads_it(value), {"nested": as_json_reads_it(value)}]
    }
    assert json.loads(line.decode("utf-8")) == expected


@given(value=any_text)
def test_to_json_is_encodable_for_any_string(value: str) -> None:
    """``to_json`` of a model holding any string (a known field and an unknown one) encodes
    to UTF-8, and what it says structures back to the same values."""
    model = structure({"uuid": "p1", "name": value, "odd field": [value]}, ProductSummary)
    for indent in (None, 2):
        text = to_json(model, indent=indent)
        data = json.loads(text.encode("utf-8").decode("utf-8"))
        assert data["name"] == as_json_reads_it(value)
        assert data["odd field"] == [as_json_reads_it(value)]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_utf8_characters_stay_characters(name: str) -> None:
    """Only the surrogates are escaped: an accent or an emoji is still plain UTF-8."""
    line = to_json_line({"name": "café 😀 " + name})
    assert "café 😀 ".encode() in line
    assert json.loads(line)["name"] == "café 😀 " + name


def test_a_cursor_file_with_any_string_round_trips(tmp_path: Path) -> None:
    """The resume state is strict UTF-8 whatever its strings hold, and loads back equal."""
    out = tmp_path / "out.jsonl"
    CursorFile("source products", "caf\ud800", 10, 1, None).save(out)
    CursorFile.path_for(out).read_bytes().decode("utf-8")
    state = CursorFile.load(out)
    assert state is not None
    assert state.cursor == "caf\ud800"


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
@pytest.mark.usefixtures("lucidgreen_no_backoff")
async def test_lone_surrogates_survive_an_export_and_its_resume(lucidgreen_fake, run_cli, tmp_path):
    """Odd names on pages 1 and 3; the run dies on page 3, ``--resume`` finishes: exit 0
    twice, strict UTF-8 JSON lines, each product once, every name exactly as sent."""
    fake = lucidgreen_fake
    uuids = list(fake.state.products)
    odd = {uuids[index]: name for index, name in zip([0, 3, 20, 21, 24], ODD_NAMES, strict=True)}
    for uuid, name in odd.items():
        fake.state.products[uuid].name = name
    out = tmp_path / "products.jsonl"
    args = ["export", "source", "products", "--out", str(out), "--no-progress", "--max-retries",
            "0", *source_args(fake)]  # fmt: skip
    fake.faults.script(PRODUCTS, ["pass", "pass", *[(500, None)] * 3])
    first = await run_cli(*args)
    assert first.code == 6, first.err
    assert len(strict_lines(out)) == 20
    fake.faults.clear_scripts()

    second = await run_cli(*args, "--resume")

    assert second.code == 0, second.err
    lines = strict_lines(out)
    assert [line["uuid"] for line in lines] == uuids
    assert {line["uuid"]: line["name"] for line in lines if line["uuid"] in odd} == odd


async def test_get_prints_a_lone_surrogate_as_valid_json(lucidgreen_fake, run_cli):
    """``get`` of a product named ``"caf\\ud800"``: exit 0 and JSON that reads back the name."""
    uuid = next(iter(lucidgreen_fake.state.products))
    lucidgreen_fake.state.products[uuid].name = "caf\ud800"
    result = await run_cli("get", "source", "product", uuid, *source_args(lucidgreen_fake))
    assert result.code == 0, result.err
    result.out.encode("utf-8")
    assert json.loads(result.out)["name"] == "caf\ud800"
