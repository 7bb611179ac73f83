"""Benchmarks of the lucidgreen SDK against the fake server on loopback (``python -m benchmarks``).

Not part of the package or the test suite; see ``benchmarks/README.md``.
"""
