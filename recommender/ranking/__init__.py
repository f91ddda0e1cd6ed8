"""Ranking Korean picks for a song or artist: neighbour tables, the signals (``signals/``) and their blend,
picks and their reasons.

May import ``recommender.catalogue``.
"""
