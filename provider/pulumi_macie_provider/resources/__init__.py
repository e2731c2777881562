"""The two resources' hook logic and their Pulumi dynamic providers.

- ``validation``: inputs checked and normalised against the property table generated from schema.json.
- ``context``: provider settings from stack config and the environment, the client, the list cache.
- ``member_account`` / ``s3_resource``: each resource's hooks over plain dicts, and its dynamic provider.
"""
