"""The documented rate limits, in one place (the clients, the limiters and the fake read them).

Each is ``limit`` requests in any sliding window of :data:`WINDOW` seconds, as the servers
count them (Django REST Framework's ``SimpleRateThrottle``).
"""

from __future__ import annotations

from typing import Final

__all__ = ["PUBLIC_LOOKUP_LIMIT", "RETAIL_LIMIT", "SOURCE_LIMIT", "WINDOW"]

#: Seconds in the servers' sliding window.
WINDOW: Final = 60.0
#: LucidSource, per set of credentials.
SOURCE_LIMIT: Final = 60
#: LucidRetail, per set of credentials.
RETAIL_LIMIT: Final = 1000
#: The two unauthenticated LucidRetail lookups, per client IP address.
PUBLIC_LOOKUP_LIMIT: Final = 60
