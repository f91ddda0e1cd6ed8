"""A build as one versioned, checksummed artifact: publish it once, let every worker load it.

Layout of a version (a folder locally, keys under ``prefix/<version>/`` in a
store), with ``prefix/latest.json`` naming the current version::

    manifest.json             format, build time, scaling, k, sources, counts,
                              rows rejected at import, the tuned blend weights
                              (null until tuned), and every file's sha256
    songs.json.gz             song columns: spotify_id, title, artist_id, korean,
                              popularity (null when unknown), sources
    song_features.npy.gz      float64 (n_songs, 11), the FEATURES order
    artists.json.gz           artist columns: name, korean, popularity, genres, aliases
    song_neighbours.npy.gz    int32 (n_songs, k_songs), -1 padding
    song_distances.npy.gz     float32 (n_songs, k_songs), inf padding
    artist_neighbours.npy.gz  int32 (n_artists, k_artists)
    artist_distances.npy.gz   float32 (n_artists, k_artists)
    playlists.json.gz         playlist data for co-listening: listener, playlist
    playlist_artists.npy.gz   int32 (n, 2): (playlist row, artist id) pairs
    artist_tags.json.gz       listeners' tags: artist_id, tag, users (distinct people who gave it)

Format 1 (before playlist data and tuned weights) still loads, as a build
without playlists whose signals weigh the same; a version without
``artist_tags.json.gz`` (published before tags were kept) loads without tags.

Modules: ``manifest`` (the format: what a manifest says and how a version is
named and checked), ``files`` (a version's files written from a build and read
back, verified) and ``location`` (stores: publishing a version, following the
pointer, fetching into a local cache). They may import ``bot.ops.stores``,
``bot.storage``'s build records and ``recommender``; nothing here touches a
database (:mod:`bot.ops.build` stores what is fetched).
"""
