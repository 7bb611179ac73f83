"""LucidSource v1.5: the resource namespaces of :class:`~lucidgreen.SourceClient`.

The typed answers are in :mod:`lucidgreen.source.models`.
"""

from .assets import Assets
from .batches import Batches
from .brands import Brands
from .collections import Collections
from .digital_coas import DigitalCOAs
from .items import Items
from .products import Products

__all__ = ["Assets", "Batches", "Brands", "Collections", "DigitalCOAs", "Items", "Products"]
