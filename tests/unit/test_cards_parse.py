"""cards/parse.py: bytes to text, the front matter as huggingface_hub finds it, lines kept."""

from __future__ import annotations

from hf_publish.cards import rules
from hf_publish.cards.parse import MAX_CARD_BYTES, decode_card, split_front_matter, too_large


def test_text_comes_back_with_newlines_and_without_a_bom():
    text, problems = decode_card(b"\xef\xbb\xbf---\r\nlicense: mit\r\n---\r\n# Card\r\n")
    assert text == "---\nlicense: mit\n---\n# Card\n"
    assert [p.rule for p in problems] == [rules.CARD_BOM]


def test_what_is_not_a_card_is_said_so_and_not_decoded():
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 10\n"
    for raw in (pointer, b"\x00\x01binary", b"caf\xe9 latin-1"):
        text, problems = decode_card(raw)
        assert text is None and problems and problems[0].line == 1, raw
    assert too_large(MAX_CARD_BYTES) is None and too_large(MAX_CARD_BYTES + 1) is not None


def test_front_matter_lines_are_the_readme_lines():
    card = split_front_matter("\n\n---\nlicense: mit\ntags: [a]\n---\n# Title\n")
    fm = card.front_matter
    assert fm is not None and (fm.open_line, fm.first_line, fm.close_line) == (3, 4, 6)
    assert fm.yaml_text == "license: mit\ntags: [a]"
    assert card.body_first_line == 7 and card.body_lines[0] == "# Title"


def test_no_or_an_unclosed_block_is_told_apart():
    assert split_front_matter("# Just markdown\n").missing
    unclosed = split_front_matter("---\nlicense: mit\n# Title\n")
    assert not unclosed.missing and unclosed.front_matter is None
    assert [p.line for p in unclosed.problems] == [1] and "never closed" in unclosed.problems[0].message
