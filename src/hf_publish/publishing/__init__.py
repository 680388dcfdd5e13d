"""Publishing to the Hub: `hub` (the only module that calls HfApi), `plan` (what changes),
`preflight` (may this token do it), `run` (the orchestration: `publish()`), `output` (how a
publish is shown).
"""
