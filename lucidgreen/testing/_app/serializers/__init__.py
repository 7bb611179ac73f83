"""JSON renderings of the records, with each product's documented wire quirks.

LucidSource: nested ``brand`` object, date-only ``published_on``, ``Z`` datetimes,
``size_bytes`` as a float on images but ``""`` on ``brand_video``, ``regulatory_id`` as one
comma-separated string, ``produced_on`` ``null`` in lists but ``""`` in the batch detail.
LucidRetail: ``brand_uuid``, ``MM/DD/YYYY`` dates, ``-08:00`` datetimes, ``expected_total_*``,
title-case ``product_type``. Decimal quantities are strings everywhere (``"40.0000"``).
"""

from .catalogue import (
    asset,
    batch_summary,
    brand_detail,
    brand_summary,
    coa_detail,
    product_summary,
    retail_batch,
    retail_product,
    source_batch,
    source_product,
)
from .tracking import case_document, collection_detail, item_detail

__all__ = [
    "asset",
    "batch_summary",
    "brand_detail",
    "brand_summary",
    "case_document",
    "coa_detail",
    "collection_detail",
    "item_detail",
    "product_summary",
    "retail_batch",
    "retail_product",
    "source_batch",
    "source_product",
]
