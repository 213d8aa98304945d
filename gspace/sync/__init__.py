"""Hybrid logical clocks and the change log: what makes every write syncable."""
