"""``macie-local``: a local Amazon Macie Classic endpoint.

One HTTP port answers the Macie Classic API (AWS JSON 1.1, SigV4-verified, state in SQLite) and the
S3 API (served by moto), so buckets created through S3 are the buckets Macie can monitor.

Layers: ``app`` routes a request (Macie, STS or S3) → ``auth`` verifies SigV4 with the keys
``sessions`` knows (the accounts', and role sessions') → ``validation`` checks the body against the
service model → ``backend`` applies the semantics inside a ``store`` transaction → ``exceptions`` map
1:1 to the model's error shapes and AWS's protocol errors. ``sts`` answers STS (``GetCallerIdentity``,
and ``AssumeRole`` of the ``roles`` declared).
"""
