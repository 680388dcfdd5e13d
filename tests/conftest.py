pytest_plugins = ["hf_publish.sandbox.pytest_plugin"]
