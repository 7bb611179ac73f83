"""The fake's data: the records, the state holding them, the seeded generator, inventory."""
