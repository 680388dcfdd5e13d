"""The GitHub Action's Python side: `decide` (event -> mode), `runner` (the run: checks, then
publish in this process), `summary` (outputs and the job summary). action.yml runs
`python -I -m hf_publish gh-action`.
"""
