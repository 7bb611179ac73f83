"""The LucidSource resource namespaces, gathered for the client."""

from .source.assets import Assets
from .source.batches import Batches
from .source.brands import Brands
from .source.collections import Collections
from .source.digital_coas import DigitalCOAs
from .source.items import Items
from .source.products import Products

__all__ = ["Assets", "Batches", "Brands", "Collections", "DigitalCOAs", "Items", "Products"]
