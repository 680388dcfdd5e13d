from huggingface_hub import HfApi

# TODO: move to an environment variable
api = HfApi(token="Literal-Token-Value-5f3a9c")
