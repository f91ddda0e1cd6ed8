"""The signals a hybrid ranking blends, each fitted once per build and asked in batches.

Every signal answers the same question for a batch of queries: how well does
each Korean artist suit this query? The answer is a float matrix with one row
per query and one column per Korean artist of :class:`KoreanArtists` (higher
is better), so :mod:`recommender.ranking.blend` can fuse any of them without knowing
how they work:

* :mod:`~recommender.ranking.signals.audio`: audio similarity from the precomputed
  neighbour tables;
* :mod:`~recommender.ranking.signals.popularity`: how well known an artist is;
* :mod:`~recommender.ranking.signals.genre`: the reviewed bridge from Spotify genres and tags to
  genre families; :mod:`~recommender.ranking.signals.genre_profiles`: every artist's family profile
  (evidence, or for a Korean act without any, its sound) and their similarity;
* :mod:`~recommender.ranking.signals.colistening`: how much more than chance an artist and a Korean
  artist share playlists;
* :mod:`~recommender.ranking.signals.feedback`: what people told the bot (used at
  runtime only, since offline playlists carry no votes).
"""

from recommender.ranking.signals.space import KoreanArtists

__all__ = ["KoreanArtists"]
