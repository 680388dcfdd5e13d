"""The audit as ONE self-contained HTML file: opened offline, attached as a CI artifact.

No external script, style, font or image: CSS and one small script are inline, the charts are
inline SVG, and a Content-Security-Policy meta tag allows nothing else (the script by its sha256),
so even a stray tag could load nothing. Every piece of untrusted text (repo names, card text quoted
in messages, commit titles, fixes) is HTML-escaped (`esc`); links go only to http(s) repo URLs of
the audited endpoint. The findings table filters by severity, check, type and free text with plain
inline JavaScript over `data-*` attributes (no data is parsed from the page as code).
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence

from hf_publish.org.model import AuditResult
from hf_publish.org.storage import human_bytes
from hf_publish.report import md_url

CHART_REPOS = 25  # bars in the largest-repos chart
SEGMENT_REPOS = 200  # segments in the private-storage bar (the rest as one "other" segment)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _url(result: AuditResult, repo_type: str, repo_id: str) -> str | None:
    from hf_publish.publishing.hub import repo_url

    return md_url(repo_url(result.endpoint, repo_id, repo_type))


def _link(result: AuditResult, repo_type: str, repo_id: str) -> str:
    url = _url(result, repo_type, repo_id)
    text = esc(repo_id)
    return f'<a href="{esc(url)}" rel="noopener noreferrer">{text}</a>' if url else text


SCRIPT = """
(function () {
  var table = document.getElementById('findings');
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  var controls = ['f-severity', 'f-check', 'f-type'].map(function (id) { return document.getElementById(id); });
  var text = document.getElementById('f-text');
  var shown = document.getElementById('f-count');
  function apply() {
    var needle = text.value.toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var ok = controls.every(function (select) {
        return !select.value || row.getAttribute('data-' + select.getAttribute('data-key')) === select.value;
      }) && (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
  }
  controls.concat([text]).forEach(function (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); });
  apply();
})();
""".strip()

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.muted{color:#59636e} .note{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;border-radius:6px;margin:8px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0} .card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:20px} .error{color:#cf222e} .warning{color:#9a6700} .notice{color:#0969da}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600} td.msg{max-width:560px;word-break:break-word} td.fix{color:#59636e;max-width:420px;word-break:break-word}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0} select,input{font:inherit;padding:3px 6px}
svg text{font:12px system-ui,sans-serif;fill:#1f2328} .bar{fill:#0969da} .bar.private{fill:#8250df} .bar.stale{fill:#cf222e}
.segment{fill:#8250df;stroke:#fff;stroke-width:.5} .segment.stale{fill:#cf222e} .quota-line{stroke:#1f2328;stroke-width:2;stroke-dasharray:4 3}
a{color:#0969da}
""".strip()


def _script_hash() -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")


def usage_chart(result: AuditResult) -> str:
    """One horizontal bar of private storage, a segment per private repo, and the quota line."""
    storage = result.storage
    width, height, left = 900, 64, 10
    scale_max = max(storage.private_bytes, storage.quota_bytes, 1) * 1.05
    span = width - 2 * left
    rows = sorted((r for r in storage.rows if r.private and r.bytes), key=lambda r: -r.bytes)
    shown, rest = rows[:SEGMENT_REPOS], rows[SEGMENT_REPOS:]
    parts = []
    x = float(left)
    for row in shown:
        w = span * row.bytes / scale_max
        parts.append(
            f'<rect class="segment{" stale" if row.stale else ""}" x="{x:.2f}" y="8" width="{max(w, 0.5):.2f}" '
            f'height="28"><title>{esc(row.id)}: {esc(human_bytes(row.bytes))}</title></rect>'
        )
        x += w
    if rest:
        w = span * sum(r.bytes for r in rest) / scale_max
        parts.append(
            f'<rect class="segment other" x="{x:.2f}" y="8" width="{max(w, 0.5):.2f}" height="28">'
            f"<title>{len(rest)} more repos</title></rect>"
        )
    qx = left + span * storage.quota_bytes / scale_max
    parts.append(f'<line class="quota-line" x1="{qx:.2f}" x2="{qx:.2f}" y1="2" y2="42"></line>')
    anchor = "end" if qx > width * 0.7 else "start"
    parts.append(
        f'<text x="{qx + (-4 if anchor == "end" else 4):.2f}" y="56" text-anchor="{anchor}">quota '
        f"{esc(human_bytes(storage.quota_bytes))} ({esc(storage.plan)})</text>"
    )
    parts.append(
        f'<text x="{left}" y="56">private {esc(human_bytes(storage.private_bytes))} ({storage.used_ratio:.1%})</text>'
        if anchor == "end"
        else ""
    )
    return (
        f'<svg id="usage-chart" role="img" aria-label="private storage against the quota" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def repos_chart(result: AuditResult) -> str:
    """One bar per repo shown (the largest CHART_REPOS), with the quota line where it fits."""
    rows = result.storage.largest(CHART_REPOS)
    label_w, width, bar_h, gap = 300, 900, 18, 6
    height = max(1, len(rows)) * (bar_h + gap) + 30
    span = width - label_w - 90
    biggest = max([r.bytes for r in rows] + [1])
    parts = []
    for i, row in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        w = span * row.bytes / biggest
        classes = "bar" + (" private" if row.private else "") + (" stale" if row.stale else "")
        label = row.id if len(row.id) <= 40 else row.id[:39] + "\u2026"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{esc(label)}</text>')
        parts.append(
            f'<rect class="{classes}" data-repo="{esc(row.type + ":" + row.id)}" x="{label_w}" y="{y}" '
            f'width="{max(w, 1):.2f}" height="{bar_h}"><title>{esc(row.id)}: {esc(human_bytes(row.bytes))}'
            f"</title></rect>"
        )
        parts.append(f'<text x="{label_w + max(w, 1) + 6:.2f}" y="{y + 13}">{esc(human_bytes(row.bytes))}</text>')
    quota = result.storage.quota_bytes
    if rows and quota <= biggest:
        qx = label_w + span * quota / biggest
        parts.append(f'<line class="quota-line" x1="{qx:.2f}" x2="{qx:.2f}" y1="4" y2="{height - 20}"></line>')
    return (
        f'<svg id="repos-chart" data-shown="{len(rows)}" role="img" aria-label="largest repos by storage" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def _options(values: Sequence[str]) -> str:
    return "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)


def render(result: AuditResult) -> str:
    counts = result.counts()
    lfs = result.lfs_counts()
    storage = result.storage
    checks = sorted({f.check for f in result.findings})
    types = sorted({f.type for f in result.findings})
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in result.access.notes)
    finding_rows = []
    for f in result.findings:
        place = esc(f.file) + (f":{f.line}" if f.line else "") if f.file else ""
        finding_rows.append(
            f'<tr data-severity="{esc(f.severity)}" data-check="{esc(f.check)}" data-type="{esc(f.type)}">'
            f'<td class="{esc(f.severity)}">{esc(f.severity)}</td><td>{esc(f.type)}</td>'
            f"<td>{_link(result, f.type, f.repo)}</td><td>{esc(f.check)}</td><td>{place}</td>"
            f'<td class="msg">{esc(f.message)}</td><td class="fix">{esc(f.fix)}</td></tr>'
        )
    stale_rows = sorted((r for r in storage.rows if r.stale), key=lambda r: -r.bytes)
    stale_html = "".join(
        f"<tr><td>{_link(result, r.type, r.id)}</td><td>{esc(r.type)}</td><td>{esc(human_bytes(r.bytes))}</td></tr>"
        for r in stale_rows[:100]
    )
    activity = []
    for repo in result.activity:
        commit = repo.last_commit
        activity.append(
            f"<tr><td>{esc(f'{repo.last_modified:%Y-%m-%d %H:%M}' if repo.last_modified else '')}</td>"
            f"<td>{esc(repo.type)}</td><td>{_link(result, repo.type, repo.id)}</td>"
            f"<td>{esc(commit.title) if commit else ''}</td>"
            f"<td>{esc(', '.join(commit.authors)) if commit else ''}</td></tr>"
        )
    csp = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src '{_script_hash()}'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    plan = storage.plan + (f", {storage.seats} seats" if storage.plan != "free" else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hf-publish org audit: {esc(result.organization)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Org audit: {esc(result.organization)}</h1>
<p class="muted">{esc(result.endpoint)} &middot; {esc(result.generated_at.strftime("%Y-%m-%d %H:%M UTC"))} &middot;
{len(result.repos)} repos &middot; policy {esc(result.policy_source or "defaults")}</p>
<p class="muted" id="lfs-sources">LFS rules: {lfs["read"]} repos from file metadata, {lfs["storage"]} from storage
(too small to hold an over-limit file), {lfs["unchecked"]} not checked</p>
{notes}
<div class="cards">
<div class="card"><b class="error" id="count-error">{counts["error"]}</b>errors</div>
<div class="card"><b class="warning" id="count-warning">{counts["warning"]}</b>warnings</div>
<div class="card"><b class="notice">{counts["notice"]}</b>notices</div>
<div class="card"><b>{esc(human_bytes(storage.private_bytes))}</b>private of {esc(human_bytes(storage.quota_bytes))}</div>
<div class="card"><b>{esc(human_bytes(storage.public_bytes))}</b>public</div>
<div class="card"><b>{esc(human_bytes(storage.stale_bytes))}</b>in {storage.stale_repos} stale repos</div>
</div>
<h2>Private storage against the quota (plan {esc(plan)})</h2>
{usage_chart(result)}
<h2>Largest repos</h2>
{repos_chart(result)}
<h2>Findings (<span id="f-count">{len(result.findings)}</span> shown)</h2>
<div class="filters">
<select id="f-severity" data-key="severity" aria-label="severity"><option value="">every severity</option>{_options(["error", "warning", "notice"])}</select>
<select id="f-check" data-key="check" aria-label="check"><option value="">every check</option>{_options(checks)}</select>
<select id="f-type" data-key="type" aria-label="type"><option value="">every type</option>{_options(types)}</select>
<input id="f-text" type="search" placeholder="filter text" aria-label="filter text">
</div>
<table id="findings"><thead><tr><th>severity</th><th>type</th><th>repo</th><th>check</th><th>file</th><th>message</th><th>fix</th></tr></thead>
<tbody>{"".join(finding_rows)}</tbody></table>
<h2>Stale private repos (not updated in {result.policy.stale_after_days} days)</h2>
<p>{storage.stale_repos} repos; deleting them would free {esc(human_bytes(storage.stale_bytes))}.</p>
<table id="stale"><thead><tr><th>repo</th><th>type</th><th>storage</th></tr></thead><tbody>{stale_html}</tbody></table>
<h2>Activity in the last {result.since_days:g} days</h2>
<table id="activity"><thead><tr><th>when</th><th>type</th><th>repo</th><th>last commit</th><th>by</th></tr></thead>
<tbody>{"".join(activity)}</tbody></table>
<script>{SCRIPT}</script>
</body>
</html>
"""
