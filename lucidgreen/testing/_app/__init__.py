"""The application behind the fake's API origin: the order of checks, routes per product,
validation and pagination, serializers (what each record looks like on the wire)."""
