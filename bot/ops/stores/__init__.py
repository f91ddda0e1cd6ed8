"""Object stores that artifacts are published to and fetched from: a local directory and S3.

Modules: ``base`` (the :class:`~bot.ops.stores.base.ObjectStore` protocol, its
errors and store URLs), ``directory`` (a local directory), ``s3`` (S3 and
S3-compatible stores through boto3) and ``opener`` (the store a URL names).
Only ``opener`` knows every kind; the kinds know only ``base``, so boto3 is
imported by processes that use an ``s3://`` URL and no others. Nothing here
knows what an artifact is.
"""
