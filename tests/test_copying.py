"""No exercise can be answered by copying: each reference solution is compared
with every code cell a student sees before it (this lab and earlier labs,
with the earlier solutions removed as in the student edition).

Both sides become normalised token streams: names become ``ID`` (attribute
names and keywords stay), numbers ``NUM``, strings ``STR``; comments and
docstrings go. The share of the solution's tokens that lie in runs of at
least ``RUN`` tokens shared with one earlier cell must stay at or below
``LIMIT``: an answer may call earlier functions, but may not be one of
them with new names.
"""

from __future__ import annotations

import difflib
import io
import keyword
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

LABS = sorted((Path(__file__).resolve().parents[1] / "labs").glob("[0-9][0-9]_*.ipynb"))
RUN = 12  # shortest shared run of tokens that counts as copied
LIMIT = 0.35  # most of a solution's tokens that may lie in copied runs
SOLUTION = re.compile(
    r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END "
    r"SOLUTION[^\n]*\n?",
    re.S | re.M,
)
SKIP = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def tokens(source: str) -> list[str]:
    """Return the normalised token stream of Python ``source``."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    out, before, depth = [], None, 0
    stream = tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline)
    for tok in stream:
        if tok.type == FSTRING_START:  # Python 3.12+: one STR per f-string
            depth += 1
            if depth == 1:
                out.append("STR")
                before = "STR"
            continue
        if depth:
            depth -= tok.type == FSTRING_END
            continue
        if tok.type in SKIP:
            if tok.type in (tokenize.NEWLINE, tokenize.INDENT):
                before = None
            continue
        if tok.type == tokenize.STRING and before is None:
            continue  # a docstring or a bare string
        if tok.type == tokenize.NAME:
            kept = keyword.iskeyword(tok.string) or before == "."
            text = tok.string if kept else "ID"
        elif tok.type == tokenize.NUMBER:
            text = "NUM"
        elif tok.type == tokenize.STRING:
            text = "STR"
        else:
            text = tok.string
        out.append(text)
        before = tok.string
    return out


def copied_share(solution: list[str], cell: list[str]) -> float:
    """Share of ``solution`` in runs of >= RUN tokens also found in ``cell``."""
    matcher = difflib.SequenceMatcher(None, solution, cell, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks() if block.size >= RUN)
    return shared / max(len(solution), 1)


def collect():
    """Yield (exercise cell label, solution tokens, earlier cells' tokens)."""
    seen: list[tuple[str, list[str]]] = []
    for path in LABS:
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            source = cell.source
            for body in SOLUTION.findall(source):
                yield f"{path.name[:2]} cell {i}", tokens(body), list(seen)
            visible = SOLUTION.sub("", source)
            seen.append((f"{path.name[:2]} cell {i}", tokens(visible)))


CASES = list(collect())


@pytest.mark.parametrize("label, solution, earlier", CASES, ids=[case[0] for case in CASES])
def test_no_solution_is_a_copy_of_an_earlier_cell(label, solution, earlier):
    worst, where = max(
        ((copied_share(solution, cell), name) for name, cell in earlier), default=(0.0, None)
    )
    assert worst <= LIMIT, (
        f"{label}: {worst:.0%} of the solution's tokens are in runs of "
        f"{RUN}+ tokens of {where} (limit {LIMIT:.0%})"
    )


def test_the_measure_catches_a_renamed_copy():
    given = "def f(x, w):\n    z = x @ w\n    return np.maximum(z, 0).sum()\n"
    renamed = "def g(a, b):\n    c = a @ b\n    return np.maximum(c, 0).sum()\n"
    other = "def g(a, b):\n    return np.exp(a - b.max()) / 2\n"
    assert copied_share(tokens(renamed), tokens(given)) == 1.0
    assert copied_share(tokens(other), tokens(given)) <= LIMIT
