from ieiwatch.domain import MAX_TITLE_CHARS, clean_line, clean_text


def test_terminal_escapes_and_controls_are_removed_from_a_line() -> None:
    hostile = "\x1b[2J\x1b]8;;http://evil/\x07合作\x1b]8;;\x07\x00 协议\u202egpj.exe\r\nSubject: x"
    assert clean_line(hostile) == "合作 协议gpj.exe Subject: x"


def test_a_body_keeps_its_paragraphs_but_loses_escapes() -> None:
    assert clean_text("第一段\n\n第二段\x1b[31m红\x00") == "第一段\n\n第二段红"


def test_an_overlong_title_is_cut_with_an_ellipsis() -> None:
    line = clean_line("T" * 40_000)
    assert len(line) == MAX_TITLE_CHARS and line.endswith("…")
