"""LucidRetail v1.2: the dispensary-side API (``https://retail.lucidgreen.io/api/v1.2/``)."""
