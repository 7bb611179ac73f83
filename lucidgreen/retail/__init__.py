"""LucidRetail v1.2: the resource namespaces of :class:`~lucidgreen.RetailClient`.

The typed answers and request bodies are in :mod:`lucidgreen.retail.models`.
"""

from .caseids import CaseIDs
from .inventory import Inventory
from .operations import Operations
from .package_uids import PackageUIDs
from .products import Batches, Brands, Products
from .transactions import Transactions

__all__ = [
    "Batches",
    "Brands",
    "CaseIDs",
    "Inventory",
    "Operations",
    "PackageUIDs",
    "Products",
    "Transactions",
]
