"""The two resources' hook logic, which both hosts call; nothing here knows a host.

- ``base``: the hooks contract and how a create decides what the stack owns;
- ``member_account`` / ``s3_resource``: each resource's hooks over plain dicts;
- ``registry``: the list of the resources;
- ``validation`` (and ``_schema``, generated from schema.json): inputs checked and normalised;
- ``config``: the provider's settings from its configuration and the environment;
- ``clients``: the provider process's clients; ``api``: one Macie call and its errors;
- ``list_cache``: the list actions' items per account; ``waits``: waiting for another resource of the run.
"""
