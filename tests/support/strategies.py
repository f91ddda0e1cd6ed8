"""Hypothesis strategies for hostile chat input, shared by the property tests of every layer."""

from __future__ import annotations

from hypothesis import strategies as st

#: Characters people paste by accident or on purpose: invisible, direction marks, NUL, markup, mentions.
TRICKY = [
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff",
    "\x00", "\x1b", "\n", "\r", "\t", "*", "_", "`", "~", "|", ">", "<", "&", "\\", "[", "]", "(", ")",
    "@everyone", "@here", "<@123>", "<@&456>", "<#789>", "<b>", "</b>", "<script>", "&amp;", "||spoiler||",
    "```", "**bold**", "방탄소년단", "아이유", "🎵", "👍🏽", "🇰🇷", "👨‍👩‍👧", "ا", "שלום",
]

tricky_text = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)),
    max_size=40,
).map("".join)

#: Very long input: thousands of characters, still hostile.
huge_text = st.builds(lambda piece, n: (piece or "x") * n, tricky_text, st.integers(min_value=200, max_value=2000))

any_text = st.one_of(tricky_text, huge_text, st.text(max_size=200))
