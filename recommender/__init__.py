"""Catalogue loading, audio features, neighbour tables and fuzzy matching; no I/O to chat platforms."""
