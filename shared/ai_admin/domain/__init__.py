"""Entities and business rules. No I/O: nothing here imports a network or database client."""
