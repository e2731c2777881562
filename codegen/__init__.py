"""The generators of every SDK (and of the provider's property table), all from ``schema.json``.

- ``generate.py``: the one command, ``python codegen/generate.py [--check]``;
- ``python_dynamic.py``: the Python dynamic SDK (``sdk/python/pulumi_macie``) and the property table;
- ``pulumi-gen-macie/``: a Go program on Pulumi's own generators (``pkg/v3`` at the CLI's version) for
  the native SDKs: ``sdk/nodejs``, ``sdk/go``, ``sdk/python-native``.

They are development tools, outside the runtime package ``pulumi_macie_provider``.
"""
