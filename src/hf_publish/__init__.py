"""hf-publish: policy as code for Hugging Face Hub organizations.

The package is imported by every pre-commit hook run, so this module stays tiny:
heavy modules (huggingface_hub, jsonschema) are imported where used.
"""

__version__ = "0.1.0"
