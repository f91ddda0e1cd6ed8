"""The recommender: pure computation over the catalogue, no chat, no SQL, nothing of ``bot`` or ``adapters``.

Subpackages, lowest first: ``catalogue`` (importing and cleaning catalogues,
playlist data, synthetic catalogues), ``matching`` (typed text to a song or
artist), ``ranking`` (neighbour tables, the signals and their blend, picks and
reasons) and ``offline`` (evaluation and tuning on playlists). No module lives
directly in this folder.
"""
