"""Matching what people type to a catalogue song or artist: shortlists, similarity, completion.

May import ``recommender.catalogue``.
"""
