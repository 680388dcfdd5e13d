"""The commit-time checks: `registry` runs them, `_inputs` says what they look at, and each check
is one module (`config`, `repo_name`, `branch_name`, `model_card`, `lfs`, `secrets`) whose rules are
pure functions returning findings. Checks import nothing from publishing, the Action or the CLI.
"""
