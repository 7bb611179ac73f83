"""The fake's whole catalogue, cross-referenced, from one seed.

:meth:`DataGenerator.state` draws every record (:mod:`.draws`) in one fixed order, so the same
seed and counts always give the same uuids, names and dates, and a test can hard-code what it
saw once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from .draws import Draws
from .records import Brand, Collection, Item, Lab, Membership, Product
from .state import ASSET_TYPES, FakeState
from .vocabulary import TEXT_USAGES

__all__ = ["EXAMPLE_PRODUCT_UUID", "TEXT_USAGES", "Counts", "DataGenerator"]


def _not_negative(_: object, field: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{field.name} must be >= 0")


def _count(default: int) -> int:
    """A :class:`Counts` field: how many records of one type, never negative."""
    return attrs.field(default=default, validator=_not_negative)


@attrs.frozen
class Counts:
    """How much data to generate. ``items`` counts LucidIDs; cases take theirs first."""

    products: int = _count(120)
    brands: int = _count(4)
    batches: int = _count(60)
    items: int = _count(240)
    cases: int = _count(20)
    items_per_case: int = _count(8)
    collections: int = _count(12)
    assets: int = _count(8)

    def __attrs_post_init__(self) -> None:
        if self.brands == 0 and (self.products or self.batches):
            raise ValueError("products and batches need at least one brand")


#: The first generated product always has the LucidID of the documentation's examples, so
#: ``products.get("UNDTMBovdue9tFWfhamnDM")`` in the README works against any fake.
EXAMPLE_PRODUCT_UUID = "UNDTMBovdue9tFWfhamnDM"


class DataGenerator(Draws):
    """Builds a :class:`FakeState`; kept by the fake so tests can add more data later."""

    # -- whole state --------------------------------------------------------------------------

    def state(self, counts: Counts) -> FakeState:
        """Generate the complete, cross-referenced catalogue."""
        state = FakeState(company_uuid=self.uid(), dispensary_uuid=self.uid())
        brands = [self.brand(i) for i in range(counts.brands)]
        state.brands = {b.uuid: b for b in brands}
        self.add_products(state, counts.products)
        if state.products:
            _rename_first_product(state, EXAMPLE_PRODUCT_UUID)
        labs = [self.lab() for _ in range(3)]
        state.labs = {lab.uuid: lab for lab in labs}
        by_brand: dict[str, list[Product]] = {b.uuid: [] for b in brands}
        for product in state.products.values():
            by_brand[product.brand_uuid].append(product)
        for i in range(counts.batches):
            brand = brands[i % len(brands)]
            self._add_batch(state, brand, by_brand[brand.uuid], labs)
        self._add_items_and_cases(state, counts)
        self._add_collections(state, counts.collections)
        for asset_type in ASSET_TYPES:
            for i in range(counts.assets):
                asset = self.asset(asset_type, i)
                state.assets[asset_type][asset.uuid] = asset
        return state

    def add_products(self, state: FakeState, count: int) -> list[Product]:
        """Append ``count`` products, spread over the brands round-robin."""
        brands = list(state.brands.values())
        added = [
            self.product(brands[(len(state.products) + i) % len(brands)]) for i in range(count)
        ]
        state.products.update((p.uuid, p) for p in added)
        return added

    def _add_batch(
        self, state: FakeState, brand: Brand, own: list[Product], labs: list[Lab]
    ) -> None:
        batch = self.batch(brand, labs)
        for product in self.rng.sample(own, min(len(own), self.rng.randint(1, 3))):
            packaged = self.packaged_product(product, batch)
            state.packaged_products[packaged.uuid] = packaged
            batch.packaged_product_uuids.append(packaged.uuid)
        roll = self.rng.random()
        for _ in range(0 if roll < 0.1 else 2 if roll > 0.9 else 1):
            coa = self.coa(batch, state.labs[batch.lab_uuids[0]])
            state.digital_coas[coa.uuid] = coa
            batch.digital_coa_uuids.append(coa.uuid)
        state.batches[batch.uuid] = batch

    def _add_items_and_cases(self, state: FakeState, counts: Counts) -> None:
        packaged = list(state.packaged_products.values())
        if not packaged:
            return
        remaining = counts.items
        for index in range(counts.cases):
            first = self.rng.choice(packaged)
            chosen = [first]
            # About one case in eight is multi-batch: a second packaged product, same brand.
            siblings = [
                p
                for p in packaged
                if p.uuid != first.uuid
                and state.products[p.product_uuid].brand_uuid
                == state.products[first.product_uuid].brand_uuid
            ]
            if siblings and self.rng.random() < 0.125:
                chosen.append(self.rng.choice(siblings))
            size = min(remaining, counts.items_per_case)
            remaining -= size
            created = self._when(400, 5)
            items = [
                self.item(pp, state.products[pp.product_uuid], created)
                for pp in (chosen[i % len(chosen)] for i in range(size))
            ]
            state.items.update((i.uuid, i) for i in items)
            case_uuid = self.uid()
            identifier = case_uuid if index % 3 else f"CASE {created:%Y}/{index + 1:04d}"
            name = f"Case {index + 1}"
            case = _holding(
                items, created, "case", uuid=case_uuid, identifier=identifier, name=name
            )
            state.collections[case.uuid] = case
            # Some cases belong to another dispensary: the last one and every tenth.
            if counts.cases > 1 and (index == counts.cases - 1 or index % 10 == 9):
                state.cases_scanned_elsewhere.add(case.uuid)
            # Each case is tagged with a regulator id; some are re-tagged later (sublotting).
            for retag in range(2 if self.rng.random() < 0.2 else 1):
                added = created + timedelta(hours=1 + 240 * retag)
                uid, tag = self.uid(), self.collection_identifier("regulator")
                name = f"Metrc package for case {index + 1}"
                reg = _holding(items, added, "regulator", uuid=uid, identifier=tag, name=name)
                state.collections[reg.uuid] = reg
        for _ in range(remaining):
            pp = self.rng.choice(packaged)
            item = self.item(pp, state.products[pp.product_uuid], self._when(400))
            state.items[item.uuid] = item

    def _add_collections(self, state: FakeState, count: int) -> None:
        item_ids = list(state.items)
        for index in range(count):
            kind = ("order", "origin", "collection")[index % 3]
            added = self._when(300, 1)
            members = [
                Membership(lucid_id, added + timedelta(minutes=n))
                for n, lucid_id in enumerate(
                    self.rng.sample(item_ids, min(len(item_ids), self.rng.randint(3, 10)))
                )
            ]
            for member in members[::4][1:]:
                member.removed_on = added + timedelta(days=2)
                member.removed_by_company_uuid = state.company_uuid
            removed = index == count - 1 and count > 3
            collection = Collection(
                uuid=self.uid(),
                identifier=self.collection_identifier(kind),
                name=f"{kind.title()} {index + 1}",
                collection_type=kind,
                added_on=added,
                is_public=self.rng.random() < 0.5,
                sub_type=self.rng.choice(("", "wholesale", "internal")),
                members=members,
                is_removed=removed,
                removed_on=added + timedelta(days=30) if removed else None,
            )
            state.collections[collection.uuid] = collection


def _rename_first_product(state: FakeState, new_uuid: str) -> None:
    """Give the first product ``new_uuid``, before anything refers to it (list order kept)."""
    first = next(iter(state.products.values()))
    first.uuid = new_uuid
    state.products = {product.uuid: product for product in state.products.values()}


def _holding(
    items: list[Item], added: datetime, kind: str, *, uuid: str, identifier: str, name: str
) -> Collection:
    """A case or a regulator's (Metrc) tag holding ``items``, all added at ``added``."""
    members = [Membership(i.uuid, added) for i in items]
    public, sub_type = (False, "metrc") if kind == "regulator" else (True, "")
    return Collection(uuid, identifier, name, kind, added, public, sub_type, members)
