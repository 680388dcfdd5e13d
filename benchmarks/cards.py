"""Benchmark: the model-card check over every card huggingface_hub can generate from its own templates.

Builds cards with `ModelCard.from_template` and `DatasetCard.from_template` (huggingface_hub's
shipped templates) over a grid of metadata: licenses (single ids, `openrail++`, lists, `other`
with and without license_name/license_link), languages, pipeline tags, base models, datasets,
eval results (model-index, also the `results: []` transformers' Trainer writes), thumbnails,
dataset task/size categories, and the template's own text fields filled or left empty. Every card
is one huggingface_hub itself writes and reads back (`ModelCard(text)` beside it, in the same run),
so the Hub-side judgment on each is "accepted": no finding of error severity is expected when the
org's own rules (required sections, placeholders) are switched off.

Prints, per policy ("hub only": required metadata/sections and placeholders off; "default": the
default org policy), how many cards each rule fired on and at which severity, the cards
huggingface_hub could not read, and the check's median time per card.

Usage: python benchmarks/cards.py [--show RULE]   (--show prints the first message of that rule)
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from huggingface_hub import DatasetCard, DatasetCardData, EvalResult, ModelCard, ModelCardData

from hf_publish.checks.model_card import check_card
from hf_publish.policy.model import CardPolicy

HUB_ONLY = CardPolicy(required_metadata=(), required_sections=(), allow_placeholders=True)
POLICIES = {"hub only": HUB_ONLY, "default": CardPolicy()}

LICENSES = [
    {"license": "apache-2.0"},
    {"license": "mit"},
    {"license": "openrail++"},
    {"license": "llama3.1"},
    {"license": ["apache-2.0", "cc-by-4.0"]},
    {"license": "other", "license_name": "acme-research", "license_link": "LICENSE"},
    {"license": "other"},
]
LANGUAGES = [{}, {"language": "ko"}, {"language": ["en", "ko"]}]
MODEL_EXTRAS = [
    {},
    {
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "base_model": "klue/bert-base",
        "datasets": ["e9t/nsmc"],
        "metrics": ["accuracy"],
        "tags": ["sentiment"],
    },
    {
        "library_name": "peft",
        "pipeline_tag": "text-generation",
        "base_model": ["meta-llama/Llama-3.1-8B"],
        "thumbnail": None,
    },
    {
        "model_name": "bert-korean-sentiment-v2",
        "eval_results": [
            EvalResult(
                task_type="text-classification",
                dataset_type="e9t/nsmc",
                dataset_name="NSMC",
                metric_type="accuracy",
                metric_value=0.91,
                dataset_split="test",
            )
        ],
    },
    {
        "model_name": "bert-korean-sentiment-v2",
        "eval_results": [],
        "tags": ["generated_from_trainer"],
        "base_model": "klue/bert-base",
    },
]
MODEL_TEXT = [
    {},
    {
        "model_id": "bert-korean-sentiment-v2",
        "model_summary": "A Korean sentiment classifier.",
        "developers": "acme-ai",
        "model_type": "BERT",
        "get_started_code": "pipeline('text-classification')",
        "model_card_contact": "ml@acme.example",
    },
]
DATASET_EXTRAS = [
    {},
    {"task_categories": ["text-classification"], "size_categories": ["100K<n<1M"], "pretty_name": "NSMC"},
    {
        "task_categories": "translation",
        "size_categories": "n<1K",
        "annotations_creators": ["expert-generated"],
        "multilinguality": "multilingual",
        "source_datasets": ["original"],
    },
]
DATASET_TEXT = [{}, {"pretty_name": "NSMC", "dataset_summary": "Korean movie reviews.", "curators": "acme-ai"}]


def model_cards():
    for license, language, extra, text in itertools.product(LICENSES, LANGUAGES, MODEL_EXTRAS, MODEL_TEXT):
        data = ModelCardData(**license, **language, **extra)
        yield "model", str(ModelCard.from_template(data, **text))


def dataset_cards():
    for license, language, extra, text in itertools.product(LICENSES, LANGUAGES, DATASET_EXTRAS, DATASET_TEXT):
        data = DatasetCardData(**license, **language, **extra)
        yield "dataset", str(DatasetCard.from_template(data, **text))


def client_reads(repo_type: str, text: str) -> bool:
    try:
        (ModelCard if repo_type == "model" else DatasetCard)(text)
    except Exception:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    os.environ["HF_PUBLISH_NO_CACHE"] = "1"  # time the rules, not the card result cache
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", metavar="RULE", help="print the first message of this rule")
    args = parser.parse_args(argv)
    cards = list(model_cards()) + list(dataset_cards())
    unreadable = sum(not client_reads(kind, text) for kind, text in cards)
    print(
        f"{len(cards)} cards from huggingface_hub's templates ({sum(k == 'model' for k, _ in cards)} model, "
        f"{sum(k == 'dataset' for k, _ in cards)} dataset); huggingface_hub reads back {len(cards) - unreadable} "
        f"of them (ModelCard/DatasetCard)\n"
    )
    errors_on_accepted = 0
    for name, policy in POLICIES.items():
        by_rule: dict[tuple[str, str], set[int]] = defaultdict(set)
        shown: dict[str, str] = {}
        times = []
        for index, (kind, text) in enumerate(cards):
            started = time.perf_counter()
            findings = check_card(text.encode("utf-8"), "README.md", kind, policy)
            times.append(time.perf_counter() - started)
            for finding in findings:
                by_rule[(finding.rule, finding.severity)].add(index)
                shown.setdefault(finding.rule, finding.message)
        cards_with_errors = {i for (rule, severity), found in by_rule.items() if severity == "error" for i in found}
        if name == "hub only":
            errors_on_accepted = len(cards_with_errors)
        print(f"policy: {name} (median {statistics.median(times) * 1000:.1f} ms a card)")
        print(f"  {'rule':28s} {'severity':8s} {'cards':>6s}")
        for (rule, severity), found in sorted(by_rule.items(), key=lambda item: (item[0][1], -len(item[1]))):
            print(f"  {rule:28s} {severity:8s} {len(found):6d}")
        if not by_rule:
            print("  (no findings)")
        print(f"  cards with an error: {len(cards_with_errors)} of {len(cards)}\n")
        if args.show and args.show in shown:
            print(f"  e.g. {args.show}: {shown[args.show]}\n")
    counts = Counter(kind for kind, _ in cards)
    print(
        f"errors on cards huggingface_hub writes and reads (hub-only policy): {errors_on_accepted} "
        f"(target 0) over {counts['model']} model and {counts['dataset']} dataset cards"
    )
    return 0 if errors_on_accepted == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
