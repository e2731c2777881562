"""The Macie Classic client: our botocore service model and the one factory that builds clients."""

from .factory import DATA_PATH, ClientSettings, make_client, make_session, register_model

__all__ = ["DATA_PATH", "ClientSettings", "make_client", "make_session", "register_model"]
