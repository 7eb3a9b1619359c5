"""Rich used as Rich: AWS's words are never markup, NO_COLOR is the Console's, plain paths stay Rich-free."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from typing import Any

import pytest
from rich.console import Console

from lambdawait.output.render import Output

# An SGR sequence that sets a foreground colour (30-39, 90-97), alone or among other attributes.
COLOUR = re.compile(r"\x1b\[(?:[0-9]+;)*(?:3[0-9]|9[0-7])(?:;[0-9]+)*m")


def explain_doc(text: str) -> dict[str, Any]:
    return {"reasons": [{"code": text, "appliesTo": ["state"], "meaning": text, "remediation": [text]}]}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("text", ["C:\\path\\", "[bold]not bold[/bold]", "a [red]b[/] c\\"])
def test_text_that_looks_like_markup_is_printed_as_it_is(text: str) -> None:
    screen = io.StringIO()
    out = Output("text", stdout=io.StringIO(), stderr=io.StringIO())
    out.rich_out = True
    out._consoles[False] = Console(file=screen, width=80, force_terminal=True, color_system=None)
    out.explain(explain_doc(text))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())
    # The code's line puts the text right before a closing tag: a trailing backslash must not eat it.
    assert plain.splitlines() == [f"{text} (state)", f"  {text}", f"  - {text}"]


def test_no_color_leaves_the_colour_to_richs_console(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("NO_COLOR", "1")
    screen = Terminal()
    out = Output("text", stdout=screen, stderr=Terminal())
    assert out.rich_out and out.rich_err  # the terminal display stays; only the colour goes
    out.explain(explain_doc("Code"))
    assert "\x1b[1m" in screen.getvalue()  # bold: styled by Rich
    assert not COLOUR.search(screen.getvalue())
    monkeypatch.delenv("NO_COLOR")
    coloured = Terminal()
    Output("text", stdout=coloured, stderr=Terminal()).explain(explain_doc("Code"))
    assert COLOUR.search(coloured.getvalue())  # the same line has colour without NO_COLOR


@pytest.mark.parametrize(("term", "no_color"), [("dumb", False), ("xterm-256color", True)])
def test_no_color_flag_and_a_dumb_terminal_print_plain_lines(
    monkeypatch: pytest.MonkeyPatch, term: str, no_color: bool
) -> None:
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("NO_COLOR", raising=False)
    screen = Terminal()
    out = Output("text", no_color=no_color, stdout=screen, stderr=Terminal())
    assert not out.rich_out and not out.rich_err
    out.explain(explain_doc("C:\\path\\"))
    assert screen.getvalue() == "C:\\path\\ (state)\n  C:\\path\\\n  - C:\\path\\\n"


def test_plain_lines_do_not_load_rich() -> None:
    script = (
        "import io, sys\n"
        "from lambdawait.output.render import Output\n"
        "out = Output('text', stdout=io.StringIO(), stderr=io.StringIO())\n"
        "doc = {'code': 'C', 'appliesTo': ['state'], 'meaning': 'm [x]', 'remediation': ['r']}\n"
        "out.explain({'reasons': [doc]})\n"
        "out.function_line({'function': 'fn', 'outcome': 'timeout', 'message': 'm', 'state': 'Pending'})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "[]\n"
