"""The members check: every rule at its line, through the pure function and the real CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hf_publish.checks.members import check_members_text, parse_members
from hf_publish.policy.model import MembersPolicy
from tests.helpers import git, init_repo, write

GOOD = "email,role,name,username\nalice@acme.example,admin,Alice,alice\nbob@acme.example,write,Bob,bob\n"


def problems(text: str, **policy) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in check_members_text(text, "members.csv", MembersPolicy(**policy))]


def test_a_good_file_passes_with_and_without_usernames():
    assert problems(GOOD) == []
    assert problems("email,role,name\nalice@acme.example,admin,Alice\n") == []
    assert problems('\ufeffEmail,Role,Name\r\nalice@acme.example,admin,"Admin, Alice"\r\n\r\n') == []


def test_header_must_be_the_guides():
    ((line, message),) = problems("mail,role,name\nalice@acme.example,admin,Alice\n")
    assert line == 1 and "not email,role,name[,username]" in message
    assert problems("email,role,name,team\na@acme.example,admin,A,x\n")[0][0] == 1
    assert problems("")[0][1] == "the members file is empty"


def test_each_row_error_is_at_its_line_with_a_fix():
    text = (
        "email,role,name,username\n"
        "alice@acme.example,admin,Alice,alice\n"
        "bob@acme.example,owner,Bob,bob\n"  # 3: role
        "not-an-email,read,Carol,carol\n"  # 4: email
        "ALICE@acme.example,read,Alice 2,alice2\n"  # 5: duplicate email
        "dave@acme.example,read,Dave,alice\n"  # 6: duplicate username
        "erin@acme.example,read\n"  # 7: columns
        "frank@acme.example,Write,,frank\n"
    )  # 8: case of role, no name
    found = problems(text)
    by_line = {line: message for line, message in found}
    assert "role 'owner'" in by_line[3]
    assert "'not-an-email' is not an email address" in by_line[4]
    assert "listed twice (first at line 2)" in by_line[5]
    assert "username alice is listed twice (first at line 2)" in by_line[6]
    assert "2 column(s), the header has 4" in by_line[7]
    assert {m for line, m in found if line == 8} == {"role 'Write' is not lowercase", "frank@acme.example has no name"}
    assert all(f.fix for f in check_members_text(text, "members.csv", MembersPolicy()))


def test_email_domains_and_at_least_one_admin():
    text = "email,role,name\nbob@acme.example,write,Bob\neve@gmail.example,read,Eve\n"
    found = problems(text, email_domains=("acme.example",))
    assert (3, "eve@gmail.example is not in an allowed domain (members.email_domains: acme.example)") in found
    assert any("no member has the admin role" in m for _, m in found)
    assert problems(text.replace("write", "admin")) == []


def test_parse_keeps_lines_across_quoted_newlines():
    text = 'email,role,name\na@acme.example,admin,"Line\nBreak"\nb@acme.example,read,B\n'
    members, findings = parse_members(text, "m")
    assert findings == [] and [m.line for m in members] == [2, 4]


def test_cli_checks_the_staged_file_and_the_configured_path(tmp_path: Path):
    repo = init_repo(tmp_path / "repo")
    write(repo / ".hf-publish.yaml", "members:\n  file: org/people.csv\n")
    write(repo / "org" / "people.csv", "email,role,name\nbob@acme.example,write,Bob\n")
    git(repo, "add", "-A")
    write(repo / "org" / "people.csv", GOOD)  # fixed in the working tree, not staged: the index is checked
    result = subprocess.run(["hf-publish", "check", "members"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "org/people.csv:2: [members] no member has the admin role" in result.stdout
    git(repo, "add", "-A")
    result = subprocess.run(["hf-publish", "check", "members"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
