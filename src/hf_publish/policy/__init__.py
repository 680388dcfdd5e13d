"""The policy: `model` holds the typed, frozen objects (and the defaults); `load` reads
`.hf-publish.yaml` into them (YAML, JSON Schema, every problem at its line, a cache by content hash).

Import the module you need (`hf_publish.policy.model` costs nothing; `load` imports PyYAML).
"""
