"""LucidSource v1.5: the brand-side API (``https://source.lucidgreen.io/api/v1.5/``)."""
