"""Where the output cannot go: exit 1 when the OS refuses the file, 2 for a directory."""

from __future__ import annotations

import pytest

from lucidgreen.cli import EXIT_CODES
from tests.cli.helpers import export_args, source_args


@pytest.mark.lucidgreen_fake(products=3)
async def test_an_output_file_in_a_missing_directory_exits_1_naming_it(
    lucidgreen_fake, run_cli, tmp_path
):
    """The OS's reason and the path in one line on stderr; no traceback, nothing on stdout."""
    out = tmp_path / "no-such-dir" / "products.jsonl"
    result = await run_cli(*export_args(out, source_args(lucidgreen_fake)))
    assert result.code == 1
    assert "local failure" in EXIT_CODES[1]
    [line] = result.err.strip().splitlines()
    assert line.startswith("lucidgreen: error: ")
    assert "No such file or directory" in line
    assert str(out.parent) in line
    assert "Traceback" not in result.err
    assert result.out == ""
    assert not out.parent.exists()


@pytest.mark.lucidgreen_fake(products=3)
@pytest.mark.parametrize("force", [[], ["--force"]])
async def test_an_output_path_that_is_a_directory_is_a_usage_error(
    lucidgreen_fake, run_cli, tmp_path, force
):
    """``--out DIR`` (forced or not) exits 2 saying it is a directory; DIR stays empty."""
    result = await run_cli(
        "export", "source", "products", "--out", str(tmp_path), *force, "--no-progress",
        *source_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 2
    assert result.err == f"lucidgreen: error: --out {tmp_path} is a directory; name a file in it\n"
    assert list(tmp_path.iterdir()) == []
