"""Model, dataset and Space cards: `parse` (bytes -> text, front matter, Markdown lines),
`schema` (card metadata against the Hub's JSON Schemas), `vocab` (license and pipeline_tag ids),
`rules` (the catalogue of card rules and their severities). The `model-card` check uses them.
"""
