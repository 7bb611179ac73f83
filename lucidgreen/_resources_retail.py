"""The LucidRetail resource namespaces, gathered for the client."""

from .retail.caseids import CaseIDs
from .retail.inventory import Inventory
from .retail.operations import Operations
from .retail.package_uids import PackageUIDs
from .retail.products import Batches, Brands, Products
from .retail.transactions import Transactions

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
