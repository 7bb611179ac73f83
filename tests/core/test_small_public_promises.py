"""Small promises of the public surface that no larger test states: the package's ``dir()``,
a model's ``extras`` as a mapping, packed regulator IDs, and the deadline's attempt floor."""

from __future__ import annotations

import lucidgreen
from lucidgreen import RetryPolicy
from lucidgreen._converter import structure
from lucidgreen.source.models import BatchSummary


def test_dir_of_the_package_lists_every_public_name_before_it_is_loaded() -> None:
    """Names are imported lazily; tab completion and ``dir()`` still see all of them."""
    names = dir(lucidgreen)
    assert set(lucidgreen.__all__) <= set(names)
    assert names == sorted(names)


def test_extras_is_a_read_only_mapping_of_the_unknown_fields() -> None:
    batch = structure({"uuid": "b1", "new_field": [1], "class": "A"}, BatchSummary)
    extras = batch.extras
    assert len(extras) == 2
    assert sorted(extras) == ["class", "new_field"]
    assert "class" in extras
    assert "uuid" not in extras
    assert extras == {"new_field": [1], "class": "A"}
    assert repr(extras) == "Extras({'new_field': [1], 'class': 'A'})"


def test_an_answer_without_unknown_fields_has_empty_extras() -> None:
    assert len(structure({"uuid": "b1"}, BatchSummary).extras) == 0


def test_a_missing_or_blank_regulatory_id_splits_into_no_ids() -> None:
    assert BatchSummary(uuid="b1").regulatory_ids == ()
    assert BatchSummary(uuid="b1", regulatory_id="").regulatory_ids == ()
    assert BatchSummary(uuid="b1", regulatory_id=" , ").regulatory_ids == ()


def test_without_a_deadline_an_attempt_needs_no_time_left() -> None:
    assert RetryPolicy().min_attempt_seconds == 0.0


def test_the_attempt_floor_never_exceeds_half_the_deadline() -> None:
    assert RetryPolicy(deadline=10.0, min_attempt_time=1.0).min_attempt_seconds == 1.0
    assert RetryPolicy(deadline=1.0, min_attempt_time=1.0).min_attempt_seconds == 0.5
