"""One record of each type, and the ids, dates and codes inside it, drawn from one seeded RNG.

Each draw consumes the RNG in a fixed order, so the same seed and the same sequence of
draws always give the same values; :mod:`.seed` fixes the sequence for a whole catalogue.
Ids are 22-character base57 shortuuids made from RNG bits, like the real ones.
"""

from __future__ import annotations

import random
import string
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from lucidgreen.ids import from_uuid

from . import vocabulary as words
from .records import Asset, Batch, Brand, DigitalCOA, Item, Lab, MediaFile, PackagedProduct, Product

__all__ = ["Draws"]

# A fixed "now" keeps generated dates independent of the day the tests run.
_EPOCH = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class Draws:
    """Seeded draws of the fake's values, from ``rng`` alone."""

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
        base = words.BRAND_WORDS[index % len(words.BRAND_WORDS)]
        name = (
            base
            if index < len(words.BRAND_WORDS)
            else f"{base} {index // len(words.BRAND_WORDS) + 1}"
        )
        slug = name.lower().replace(" ", "-")
        state = self.rng.choice(words.STATES)
        return Brand(
            uuid=self.uid(),
            name=name,
            company=f"{name} Holdings LLC",
            slug=slug,
            description=f"<p>{name} grows small-batch cannabis in {state}.</p>",
            website=f"https://{slug}.example.com",
            state=state,
            country="US",
            address=(
                f"{self.rng.randint(10, 9999)} Main St, {self.rng.choice(words.CITIES)}, {state}"
            ),
            updated_on=self._when(),
            images=self._images("brands"),
            video=self._media(f"{slug}.mp4", "videos", "mp4", "video/mp4"),
            video_uploaded_by=f"ops@{slug}.example.com",
            video_description=f"Meet {name}.",
            video_length_in_minutes=round(self.rng.uniform(0.5, 6.0), 1),
            video_source_link=f"https://videos.example.com/{slug}",
        )

    def product(self, brand: Brand) -> Product:
        kind = self.rng.choice(words.PRODUCT_TYPES)
        strain = self.rng.choice(words.STRAINS)
        unit = words.UNITS.get(kind, "mg")
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
            variety=self.rng.choice(words.VARIETIES),
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
            positive_effects=self.rng.sample(words.EFFECTS, 2),
            negative_effects=self.rng.sample(words.NEGATIVE, 1),
            medical_uses=self.rng.sample(words.MEDICAL, 2),
            special_diet=self.rng.sample(words.DIETS, self.rng.randint(0, 2)),
            allergen=self.rng.sample(words.ALLERGENS, self.rng.randint(0, 2)),
            ingredients=self.rng.sample(words.INGREDIENTS, 3),
            about_ingredients="Sourced from licensed growers.",
            testing_methodology="HPLC potency, GC-MS terpenes.",
            usage_recommendation="Start low and go slow.",
            images=self._images("products"),
            barcode="".join(self.rng.choices(string.digits, k=13)),
        )

    def lab(self) -> Lab:
        city = self.rng.choice(words.CITIES)
        return Lab(
            uuid=self.uid(),
            name=f"{city} Analytical Labs",
            logo_path=f"/media/labs/{self.uid()}.png",
            street_address_1=f"{self.rng.randint(1, 999)} Science Way",
            street_address_2=self.rng.choice(("", "Suite 200", "Unit B")),
            city=city,
            state=self.rng.choice(words.STATES),
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
            for key, unit in words.TOTALS
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
                test: "pass" if self.rng.random() < 0.8 else "not_tested" for test in words.TESTS
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
            usage: str | None = self.rng.choice(words.TEXT_USAGES)
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
