"""The two hosts of the resources' hooks; each only translates its protocol into hook calls.

- ``dynamic``: the Python dynamic provider (``pulumi-python:dynamic/macie:*``), zero install.
- ``native``: the ``pulumi-resource-macie`` plugin (``macie:index:*`` types, GetSchema, import,
  provider config with DiffConfig), serving Pulumi's ResourceProvider gRPC protocol.
- ``wire``: the engine's signature of a secret value, which the native plugin and the importer read.
"""
