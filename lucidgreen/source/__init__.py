"""LucidSource v1.5: the resource namespaces of :class:`~lucidgreen.SourceClient`.

The typed answers are in :mod:`lucidgreen.source.models`; :class:`ListOptions` and
:class:`OnePageListOptions` are the keyword options of the ``list`` methods.
"""

from .._list_options import ListOptions, OnePageListOptions
from .assets import Assets
from .batches import Batches
from .brands import Brands
from .collections import Collections
from .digital_coas import DigitalCOAs
from .items import Items
from .products import Products

__all__ = [
    "Assets",
    "Batches",
    "Brands",
    "Collections",
    "DigitalCOAs",
    "Items",
    "ListOptions",
    "OnePageListOptions",
    "Products",
]
