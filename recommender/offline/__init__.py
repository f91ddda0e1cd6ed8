"""Offline evaluation and tuning on playlists of people who play both sides, and the rankers they compare.

May import ``recommender.catalogue`` and ``recommender.ranking``.
"""
