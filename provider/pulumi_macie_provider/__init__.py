"""Pulumi provider for Amazon Macie Classic.

Subpackages:

- ``client``: the botocore service model for ``macie`` (API 2017-12-19) and the one client factory.
- ``local``: ``macie-local``, a local Macie Classic endpoint (with S3 served by moto) on one port.
- ``resources``: the hook logic of the ``MacieMemberAccount`` and ``MacieS3Resource`` resources.
"""

__version__ = "0.1.0"
