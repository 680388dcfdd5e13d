import os
import sys
from pathlib import Path

pytest_plugins = ["hf_publish.sandbox.pytest_plugin"]

# Tests run console scripts (`hf-publish`, `pre-commit`, `act`) by name: take them from the
# environment whose Python runs the tests, even when that environment is not activated.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
