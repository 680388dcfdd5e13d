"""A Hugging Face Hub compatible server on loopback, driven by the real huggingface_hub client.

Self-contained on purpose (no other hf_publish module is imported): it is also run standalone
with ``python -m hf_publish.sandbox serve``. See ``Sandbox`` for the Python API.
"""

from .api import Sandbox
from .auth import DEFAULT_OIDC_ID_TOKEN, derive_token
from .faults import FaultRule, RequestRecord
from .generate import generate_org, generate_repos
from .orgs import TokenRow

__all__ = [
    "DEFAULT_OIDC_ID_TOKEN",
    "FaultRule",
    "RequestRecord",
    "Sandbox",
    "TokenRow",
    "derive_token",
    "generate_org",
    "generate_repos",
]
