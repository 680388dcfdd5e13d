"""The slice of the Hub's card metadata validation that the sandbox applies (validate-yaml, push time)."""

from __future__ import annotations

LICENSES = frozenset(
    """apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
    bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda cc
    cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0
    cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0
    cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1
    eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c
    ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0 openmdw-1.1 osl-3.0 postgresql ofl-1.1 ncsa
    unlicense zlib pddl lgpl-lr deepfloyd-if-license fair-noncommercial-research-license llama2 llama3
    llama3.1 llama3.2 llama3.3 llama4 grok2-community gemma unknown other""".split()
)
SPACE_SDKS = frozenset({"gradio", "docker", "static"})


def front_matter(content: str) -> str | None:
    lines = content.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i])
    return None


def validate_card(content: str, repo_type: str) -> list[str]:
    """Error messages as the Hub words them; empty when the card's metadata is acceptable."""
    import yaml

    block = front_matter(content)
    if block is None:
        return []
    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        return [f"Invalid YAML metadata: {exc}"]
    except RecursionError:  # thousands of nested [ or {: refuse, as the Hub does, instead of a 500
        return ["Invalid YAML metadata: nested too deep"]
    if meta is None:
        return []
    if not isinstance(meta, dict):
        return ['"metadata" must be a YAML mapping']
    errors = []
    licenses = meta.get("license")
    for lic in licenses if isinstance(licenses, list) else [licenses] if licenses is not None else []:
        if not isinstance(lic, str) or lic not in LICENSES:
            errors.append('"license" does not match any of the allowed types')
            break
    if meta.get("license") == "other" and not (meta.get("license_name") and meta.get("license_link")):
        errors.append('"license_name" and "license_link" are required when "license" is "other"')
    tags = meta.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        errors.append('"tags" must be an array of strings')
    if repo_type == "space" and "sdk" in meta and meta["sdk"] not in SPACE_SDKS:
        errors.append(f'"sdk" must be one of {sorted(SPACE_SDKS)}')
    return errors
