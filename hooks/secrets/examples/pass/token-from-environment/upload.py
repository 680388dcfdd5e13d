import os

from huggingface_hub import HfApi, login

api = HfApi(token=os.environ["HF_TOKEN"])
login(token=os.getenv("HF_TOKEN"))
api.upload_folder(folder_path="models/bert", repo_id="acme-ai/bert-korean-sentiment-v2")
