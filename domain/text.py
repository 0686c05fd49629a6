"""One sanitiser for text that came from the web, used wherever it leaves ieiwatch: the
operator's terminal, chat and webhook bodies, email headers, and where it enters storage.

A hostile page can put terminal escapes (``ESC[2J``, OSC-8 links), NUL bytes (PostgreSQL
refuses them in text), bidirectional overrides (U+202E makes ``gpj.exe`` read as
``exe.jpg``) and line breaks (a newline in a mail header) into a title. None of these
belongs in a headline or a party's name; tabs and newlines do belong in an article's body.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 500
"""Real headlines are under 200 characters; anything longer is a list dumped into a title
or an attack on the classifier's and the mail encoder's running time."""
MAX_TEXT_CHARS = 100_000
"""About 50 printed pages: longer bodies are archives or junk, and the classifier reads
the start of an article anyway."""

# C0 and C1 controls (ESC, CSI, NUL, DEL …), bidirectional embeddings/overrides/isolates,
# and the line/paragraph separators that some terminals and mail headers treat as breaks.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI … final byte (colours, clear screen)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL or ST (window titles, hyperlinks)
    r"|\x1b[@-_]"  # other two-byte escapes
)
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x85]+")
_SPACES = re.compile(r"[ \u00a0\u3000]{2,}")


def clean_text(text: str, limit: int | None = MAX_TEXT_CHARS) -> str:
    """Text without escapes or control characters; tabs and line breaks are kept."""
    cleaned = _UNSAFE.sub("", _ESCAPE_SEQUENCE.sub("", text))
    return cleaned if limit is None else cleaned[:limit]


def clean_line(text: str, limit: int | None = MAX_TITLE_CHARS) -> str:
    """One line of plain text: a title, a name, a header, a terminal cell."""
    line = _BREAKS.sub(" ", clean_text(text, None))
    line = _SPACES.sub(" ", line).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line
