"""The catalogue: importing public CSVs in their formats, cleaning, labels, text normalisation,
playlist files and listening data, and synthetic catalogues for tests and benchmarks.

The bottom of the recommender: it imports no other package of ours.
"""
