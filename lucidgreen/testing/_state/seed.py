"""Seeded, deterministic generation of the fake's catalogue.

Every value comes from one ``random.Random(seed)`` consumed in a fixed order, so the same
seed and counts always give the same uuids, names and dates, and a test can hard-code what
it saw once. Ids are 22-character base57 shortuuids made from RNG bits, like the real ones.

Long because: one generator consumes one RNG in one fixed order for every record type;
splitting it would spread that order (which fixes every seeded value) over several files.
"""

from __future__ import annotations

import random
import string
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs

from lucidgreen.ids import from_uuid

from .records import (
    Asset,
    Batch,
    Brand,
    Collection,
    DigitalCOA,
    Item,
    Lab,
    MediaFile,
    Membership,
    PackagedProduct,
    Product,
)
from .state import ASSET_TYPES, FakeState

__all__ = ["EXAMPLE_PRODUCT_UUID", "TEXT_USAGES", "Counts", "DataGenerator"]

#: Allowed ``usage`` values of a text asset.
TEXT_USAGES = ("description", "usage_recommendation", "testing_methodology", "about_ingredients")

# A fixed "now" keeps generated dates independent of the day the tests run.
_EPOCH = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

_BRAND_WORDS = (
    "Green Valley", "Coastal Kind", "High Desert", "Northern Light", "Sunset Botanicals",
    "Emerald Peak", "Blue River", "Redwood", "Golden Hour", "Quiet Pine", "Wild Sage", "Ironwood",
)  # fmt: skip
_STATES = ("CA", "CO", "MI", "NJ", "WA", "OR", "MA", "NV", "IL", "AZ")
_PRODUCT_TYPES = (
    "FLOWER", "GUMMY", "VAPE", "PRE_ROLL", "CHOCOLATE", "TINCTURE", "CONCENTRATE", "TOPICAL",
)  # fmt: skip
_STRAINS = (
    "Blue Dream", "OG Kush", "Sour Diesel", "Girl Scout Cookies", "Granddaddy Purple",
    "Jack Herer", "Gelato", "Wedding Cake", "Durban Poison", "Pineapple Express", "Harlequin",
)  # fmt: skip
_VARIETIES = ("Indica", "Sativa", "Hybrid", "CBD")
_EFFECTS = ("Relaxed", "Happy", "Uplifted", "Sleepy", "Focused", "Creative", "Hungry")
_NEGATIVE = ("Dry mouth", "Dry eyes", "Dizzy", "Paranoid")
_MEDICAL = ("Stress", "Pain", "Insomnia", "Anxiety", "Nausea")
_DIETS = ("Vegan", "Gluten free", "Kosher", "Sugar free")
_ALLERGENS = ("Milk", "Soy", "Tree nuts", "Wheat", "Peanuts")
_INGREDIENTS = (
    "Cane sugar",
    "Cocoa butter",
    "Pectin",
    "Citric acid",
    "Cannabis extract",
    "MCT oil",
)
_CITIES = ("Oakland", "Denver", "Detroit", "Newark", "Spokane", "Eugene", "Worcester", "Reno")
_TESTS = (
    "cannabinoid_potency_tests", "filth_and_foreign_material_tests", "heavy_metals_tests",
    "homogeneity_tests", "microbials_tests", "moisture_content_tests", "mycotoxins_tests",
    "pesticides_tests", "residual_solvents_tests", "terpene_profiling_tests",
    "water_activity_tests", "ph_tests", "chemical_residue_tests",
)  # fmt: skip
_TOTALS = (
    ("total_active_cannabinoids", "mg/g"), ("total_potential_thc", "%"), ("total_thc", "%"),
    ("total_potential_cbd", "%"), ("total_cbd", "mg"), ("total_terpenes", ""),
)  # fmt: skip
_UNITS = {"FLOWER": "g", "PRE_ROLL": "g", "VAPE": "g", "CONCENTRATE": "g", "TINCTURE": "ml"}


@attrs.frozen
class Counts:
    """How much data to generate. ``items`` counts LucidIDs; cases take theirs first."""

    products: int = 120
    brands: int = 4
    batches: int = 60
    items: int = 240
    cases: int = 20
    items_per_case: int = 8
    collections: int = 12
    assets: int = 8

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(Counts):
            if getattr(self, field.name) < 0:
                raise ValueError(f"{field.name} must be >= 0")
        if self.brands == 0 and (self.products or self.batches):
            raise ValueError("products and batches need at least one brand")


#: The first generated product always has the LucidID of the documentation's examples, so
#: ``products.get("UNDTMBovdue9tFWfhamnDM")`` in the README works against any fake.
EXAMPLE_PRODUCT_UUID = "UNDTMBovdue9tFWfhamnDM"


class DataGenerator:
    """Builds a :class:`FakeState`; kept by the fake so tests can add more data later."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._serial = 0

    # -- primitives ---------------------------------------------------------------------------

    def uid(self) -> str:
        """A 22-character base57 shortuuid from the seeded RNG."""
        return from_uuid(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _n(self) -> int:
        self._serial += 1
        return self._serial

    def _when(self, max_days_back: int = 900, min_days_back: int = 0) -> datetime:
        seconds = self.rng.randint(min_days_back * 86400, max_days_back * 86400)
        micro = self.rng.randrange(1_000_000)
        return _EPOCH - timedelta(seconds=seconds, microseconds=micro)

    def _day(self, max_days_back: int = 900, min_days_back: int = 0) -> date:
        return self._when(max_days_back, min_days_back).date()

    def _code(self, letters: int, digits: int) -> str:
        head = "".join(self.rng.choices(string.ascii_uppercase, k=letters))
        return head + "".join(self.rng.choices(string.digits, k=digits))

    def metrc_tag(self) -> str:
        """A 24-character Metrc-style package tag, e.g. ``1A4060300003D21000012345``."""
        return "1A40603000" + "".join(self.rng.choices(string.hexdigits.upper()[:16], k=14))

    def _decimal(self, low: float, high: float, places: int) -> Decimal:
        value = Decimal(str(round(self.rng.uniform(low, high), 2)))
        return value.quantize(Decimal(1).scaleb(-places))

    def _media(self, name: str, folder: str, ext: str, mime: str) -> MediaFile:
        return MediaFile(
            name=name,
            path=f"/media/{folder}/{self.uid()}.{ext}",
            mime_type=mime,
            size_bytes=float(self.rng.randint(2_000, 900_000)),
            updated_on=self._when(),
        )

    def _images(self, folder: str) -> dict[str, MediaFile]:
        return {
            kind: self._media(f"{kind}.png", folder, "png", "image/png")
            for kind in ("thumbnail", "primary", "banner")
        }

    # -- entities -----------------------------------------------------------------------------

    def brand(self, index: int) -> Brand:
        base = _BRAND_WORDS[index % len(_BRAND_WORDS)]
        name = base if index < len(_BRAND_WORDS) else f"{base} {index // len(_BRAND_WORDS) + 1}"
        slug = name.lower().replace(" ", "-")
        state = self.rng.choice(_STATES)
        return Brand(
            uuid=self.uid(),
            name=name,
            company=f"{name} Holdings LLC",
            slug=slug,
            description=f"<p>{name} grows small-batch cannabis in {state}.</p>",
            website=f"https://{slug}.example.com",
            state=state,
            country="US",
            address=f"{self.rng.randint(10, 9999)} Main St, {self.rng.choice(_CITIES)}, {state}",
            updated_on=self._when(),
            images=self._images("brands"),
            video=self._media(f"{slug}.mp4", "videos", "mp4", "video/mp4"),
            video_uploaded_by=f"ops@{slug}.example.com",
            video_description=f"Meet {name}.",
            video_length_in_minutes=round(self.rng.uniform(0.5, 6.0), 1),
            video_source_link=f"https://videos.example.com/{slug}",
        )

    def product(self, brand: Brand) -> Product:
        kind = self.rng.choice(_PRODUCT_TYPES)
        strain = self.rng.choice(_STRAINS)
        unit = _UNITS.get(kind, "mg")
        size = self._decimal(0.5, 100.0, 4)
        published = self._day(1500, 200)
        discontinued = (
            published + timedelta(days=self.rng.randint(100, 600))
            if self.rng.random() < 0.1
            else None
        )
        serial = self._n()
        return Product(
            uuid=self.uid(),
            brand_uuid=brand.uuid,
            name=f"{strain} {kind.replace('_', ' ').title()} {size.normalize()}{unit}",
            sku=f"{brand.slug[:3].upper()}-{kind[:3]}-{serial:05d}",
            product_type=kind,
            is_published=self.rng.random() < 0.85,
            description=f"<p>{strain} by {brand.name}.</p>",
            label_type=self.rng.choice(("standard", "compliance", "custom")),
            container_type=self.rng.choice(("jar", "box", "bag", "tube", "bottle")),
            published_on=published,
            available_on=published + timedelta(days=self.rng.randint(0, 60)),
            discontinued_on=discontinued,
            added_on=published if self.rng.random() < 0.5 else None,
            updated_on=self._when(200),
            usage=self.rng.choice(("Inhalation", "Ingestion", "Topical", "Sublingual")),
            variety=self.rng.choice(_VARIETIES),
            strain=strain,
            chemotype=self.rng.choice(("", "Type I", "Type II", "Type III")),
            product_line=self.rng.choice(("Classic", "Reserve", "Everyday", "")),
            package_size=size,
            package_unit=unit,
            upc="".join(self.rng.choices(string.digits, k=12)),
            servings=self._decimal(1, 40, 7),
            serving_size=self._decimal(0.1, 10, 4),
            serving_unit=unit,
            total_thc=self._decimal(0, 35, 4),
            total_cbd=self._decimal(0, 20, 4),
            potency_unit=self.rng.choice(("%", "mg")),
            shelf_life_days=self.rng.choice((90, 180, 365, 730)),
            positive_effects=self.rng.sample(_EFFECTS, 2),
            negative_effects=self.rng.sample(_NEGATIVE, 1),
            medical_uses=self.rng.sample(_MEDICAL, 2),
            special_diet=self.rng.sample(_DIETS, self.rng.randint(0, 2)),
            allergen=self.rng.sample(_ALLERGENS, self.rng.randint(0, 2)),
            ingredients=self.rng.sample(_INGREDIENTS, 3),
            about_ingredients="Sourced from licensed growers.",
            testing_methodology="HPLC potency, GC-MS terpenes.",
            usage_recommendation="Start low and go slow.",
            images=self._images("products"),
            barcode="".join(self.rng.choices(string.digits, k=13)),
        )

    def lab(self) -> Lab:
        city = self.rng.choice(_CITIES)
        return Lab(
            uuid=self.uid(),
            name=f"{city} Analytical Labs",
            logo_path=f"/media/labs/{self.uid()}.png",
            street_address_1=f"{self.rng.randint(1, 999)} Science Way",
            street_address_2=self.rng.choice(("", "Suite 200", "Unit B")),
            city=city,
            state=self.rng.choice(_STATES),
            postal_code=f"{self.rng.randint(10000, 99999)}",
        )

    def batch(self, brand: Brand, labs: list[Lab]) -> Batch:
        regulatory = [self._code(3, 6)] + [self._code(4, 3) for _ in range(self.rng.randint(0, 2))]
        return Batch(
            uuid=self.uid(),
            brand_uuid=brand.uuid,
            name=f"{brand.slug[:3].upper()}-B{self._n():05d}",
            produced_on=self._when(700, 30) if self.rng.random() < 0.8 else None,
            regulatory_ids=regulatory,
            updated_on=self._when(30),
            digital_coa_uuids=[],
            lab_uuids=[lab.uuid for lab in self.rng.sample(labs, min(len(labs), 1))],
            packaged_product_uuids=[],
        )

    def packaged_product(self, product: Product, batch: Batch) -> PackagedProduct:
        packaged = self._day(600, 10) if self.rng.random() < 0.9 else None
        return PackagedProduct(
            uuid=self.uid(),
            product_uuid=product.uuid,
            batch_uuid=batch.uuid,
            regulatory_id=self.metrc_tag(),
            packaged_on=packaged,
            harvested_on=packaged - timedelta(days=self.rng.randint(20, 90)) if packaged else None,
            expires_on=packaged + timedelta(days=365) if packaged else None,
        )

    def coa(self, batch: Batch, lab: Lab) -> DigitalCOA:
        received = self._when(600, 20)
        totals: dict[str, tuple[Decimal | None, str]] = {
            key: (None if self.rng.random() < 0.1 else self._decimal(0, 40, 4), unit)
            for key, unit in _TOTALS
        }
        return DigitalCOA(
            uuid=self.uid(),
            batch_uuid=batch.uuid,
            lab_uuid=lab.uuid,
            sample_regulator_id=self.metrc_tag(),
            batch_regulatory_id=batch.regulatory_ids[0],
            sample_received_on=received,
            report_created_on=received + timedelta(days=3, hours=2),
            report_expires_on=received + timedelta(days=365),
            certificate_path=f"/media/coas/{self.uid()}.pdf",
            totals=totals,
            tests_performed={
                test: "pass" if self.rng.random() < 0.8 else "not_tested" for test in _TESTS
            },
            sample_tested_on=(received + timedelta(days=1)).date(),
            certificate_received_on=(received + timedelta(days=4)).date(),
            entered_on=received + timedelta(days=4, hours=5),
        )

    def item(self, packaged: PackagedProduct, product: Product, created: datetime) -> Item:
        return Item(
            uuid=self.uid(),
            created=created,
            brand_uuid=product.brand_uuid,
            product_uuid=product.uuid,
            batch_uuid=packaged.batch_uuid,
            packaged_product_uuid=packaged.uuid,
        )

    def collection_identifier(self, kind: str) -> str:
        """Identifiers as found in the wild: Metrc tags, manifest ids with ``/`` and spaces."""
        n = self.rng.randint(1, 99999)
        if kind == "regulator":
            return self.metrc_tag()
        if kind == "order":
            return f"PO {2023 + n % 3}/{n:05d}"
        if kind == "origin":
            return f"MANIFEST {n:07d}/{self.rng.choice(string.ascii_uppercase)} {n % 7}"
        return f"identifier-{n}"

    def asset(self, asset_type: str, index: int) -> Asset:
        uid = self.uid()
        if asset_type == "texts":
            usage: str | None = self.rng.choice(TEXT_USAGES)
            return Asset(uid, asset_type, f"Text {index + 1}", "Grown with care.", None, usage)
        ext = {"images": "png", "videos": "mp4", "files": "pdf"}[asset_type]
        description = f"Video {index + 1} description" if asset_type == "videos" else None
        return Asset(
            uid,
            asset_type,
            f"{asset_type[:-1].title()} {index + 1}",
            f"/media/assets/{uid}.{ext}",
            description,
            None,
        )

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
            case = Collection(
                uuid=case_uuid,
                identifier=case_uuid if index % 3 else f"CASE {created:%Y}/{index + 1:04d}",
                name=f"Case {index + 1}",
                collection_type="case",
                added_on=created,
                is_public=True,
                sub_type="",
                members=[Membership(i.uuid, created) for i in items],
            )
            state.collections[case.uuid] = case
            # Some cases belong to another dispensary: the last one and every tenth.
            if counts.cases > 1 and (index == counts.cases - 1 or index % 10 == 9):
                state.cases_scanned_elsewhere.add(case.uuid)
            # Each case is tagged with a regulator id; some are re-tagged later (sublotting).
            for retag in range(2 if self.rng.random() < 0.2 else 1):
                added = created + timedelta(hours=1 + 240 * retag)
                reg = Collection(
                    uuid=self.uid(),
                    identifier=self.collection_identifier("regulator"),
                    name=f"Metrc package for case {index + 1}",
                    collection_type="regulator",
                    added_on=added,
                    is_public=False,
                    sub_type="metrc",
                    members=[Membership(i.uuid, added) for i in items],
                )
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
