"""Every figure a lab shows is described: it goes through ``show(fig, alt)``.

``utils.plots.show`` puts the alt text into the image output's metadata and
the book copies it onto the <img> (a screen reader reads it). Any other way
to a figure output (``plt.show()``, ``fig.show()``, ``display(fig)``, a
figure or axes left as a cell's last value, or a figure drawn and left for
the inline backend to flush at the end of the cell) has no alt text. The
check parses every code cell with ``ast``; ``alt`` must be computed (an
f-string, or built with a call) with no number typed into its text.
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LABS = sorted((ROOT / "labs").glob("*.ipynb"))

PYPLOT = {"plt", "pyplot"}
# pyplot functions that neither draw nor display a figure
PYPLOT_QUIET = {
    "close",
    "rc",
    "rcParams",
    "rc_context",
    "style",
    "get_cmap",
    "colormaps",
    "cm",
    "ioff",
    "ion",
    "isinteractive",
    "get_fignums",
    "savefig",
    "switch_backend",
    "setp",
    "getp",
}
# helpers of utils.plots (and labs) that draw a new figure
DRAWERS = re.compile(r"^(show_images|plot_\w+)$")
# a number typed by hand: a measurement-like literal (0.97, 2,000, 12, 5 %,
# 1e-7, the 2,000-image run), not part of a name (W1, a2); single digits
# (below 1, 2/L, epochs 1 to N, 1-NN) are allowed
NUMBER = re.compile(
    r"(?<![A-Za-z_\d.,])\d+(?:[.,]\d+)*(?:e-?\d+)?(\s?%)?"
    r"(?![A-Za-z_\d]|[.,]\d)"
)


def _typed_number(text):
    return next((m.group() for m in NUMBER.finditer(text) if len(m.group()) > 1), None)


def _callee(call):
    """('plt', 'subplots') for plt.subplots(...), (None, 'show') for show()."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        return (owner.id if isinstance(owner, ast.Name) else ""), func.attr
    if isinstance(func, ast.Name):
        return None, func.id
    return "", ""


def _draws(node):
    """Whether an expression draws a figure: plt.<draw>(), show_images()..."""
    if not isinstance(node, ast.Call):
        return False
    owner, name = _callee(node)
    if owner in PYPLOT:
        return name not in PYPLOT_QUIET and name != "show"
    return bool(DRAWERS.match(name))


def _names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _names(t)]
    return []


def _figure_names(tree):
    """Names bound to a figure or axes in this cell."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (_draws(node.value) or _is_figure_attr(node.value)):
            for target in node.targets:
                names.update(_names(target))
    return names


def _is_figure_attr(node):
    return isinstance(node, ast.Attribute) and node.attr in ("figure", "fig")


def _assignments(tree):
    """name -> the last value assigned to it in the cell (alt = f"...")."""
    values = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
    return values


def _alt_problem(node, assigned, seen=()):
    """Why an alt expression is not a computed description, or None.

    Returns (problem, computed): computed says whether any part is
    computed (a formatted value or a call).
    """
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str):
            return "alt is not text", False
        number = _typed_number(node.value)
        if number:
            return (f"a number typed into alt: {number!r} in {node.value!r}"), False
        return None, False
    if isinstance(node, ast.JoinedStr):
        computed = False
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                computed = True
            else:
                problem, _ = _alt_problem(part, assigned, seen)
                if problem:
                    return problem, computed
        return None, computed
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, computed_left = _alt_problem(node.left, assigned, seen)
        right, computed_right = _alt_problem(node.right, assigned, seen)
        return left or right, computed_left or computed_right
    if isinstance(node, ast.Name):
        if node.id in assigned and node.id not in seen:
            return _alt_problem(assigned[node.id], assigned, seen + (node.id,))
        return None, True  # a parameter or an earlier cell's value
    if isinstance(node, ast.Call):
        for part in node.args:  # "; ".join(f"..." for ...)
            if isinstance(part, ast.GeneratorExp):
                part = part.elt
            if isinstance(part, (ast.Constant, ast.JoinedStr)):
                problem, _ = _alt_problem(part, assigned, seen)
                if problem:
                    return problem, True
        return None, True
    return None, True


def figure_problems(source):
    """Every way this cell shows a figure without a computed alt text."""
    source = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    tree = ast.parse(source)
    problems = []
    figures = _figure_names(tree)
    assigned = _assignments(tree)
    shows, draws = 0, 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _callee(node)
        draws += _draws(node)
        if name == "show" and owner is None:
            shows += 1
            if any(isinstance(arg, ast.Starred) for arg in node.args):
                continue  # show(*helper(...)): the helper returns fig, alt
            alt = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "alt"), None)
            )
            if not node.args or alt is None:
                problems.append(f"line {node.lineno}: show() without alt")
                continue
            problem, computed = _alt_problem(alt, assigned)
            if problem:
                problems.append(f"line {node.lineno}: {problem}")
            elif not computed:
                problems.append(
                    f"line {node.lineno}: alt is typed, not computed from the figure's data"
                )
        elif name == "show" and (owner in PYPLOT or owner in figures or not node.args):
            problems.append(
                f"line {node.lineno}: {owner}.show() shows a figure without alt; use show(fig, alt)"
            )
        elif name == "display" and any(
            _draws(arg) or _is_figure_attr(arg) or (isinstance(arg, ast.Name) and arg.id in figures)
            for arg in node.args
        ):
            problems.append(f"line {node.lineno}: display() of a figure; use show(fig, alt)")
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr) and (
        _draws(last.value)
        or _is_figure_attr(last.value)
        or (isinstance(last.value, ast.Name) and last.value.id in figures)
    ):
        problems.append(
            f"line {last.lineno}: a figure as the cell's last "
            "value is shown without alt; use show(fig, alt)"
        )
    if draws and not shows:
        problems.append(
            "the cell draws a figure but never calls "
            "show(fig, alt): the inline backend would show it "
            "without alt"
        )
    return problems


def _code_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_every_figure_is_described(path):
    found = [
        f"cell {i}, {problem}"
        for i, source in _code_cells(path)
        for problem in figure_problems(source)
    ]
    assert not found, f"{path.name}: figures without a computed description:\n  " + "\n  ".join(
        found
    )


DESCRIBED = """
fig, ax = plt.subplots()
ax.plot(steps, errors)
show(fig, f"Error against step size: lowest {min(errors):.1e}.")
"""


@pytest.mark.parametrize(
    "source, expected",
    [
        (DESCRIBED.replace("show(fig, f", "plt.show()\nshow(fig, f"), "plt.show()"),
        (DESCRIBED.replace("show(fig, f", "fig.show()\nshow(fig, f"), "fig.show()"),
        (DESCRIBED.replace("show(fig, f", "fig\nx = (f") + "fig\n", "last value"),
        ("plot_curves(histories)\n", "last value"),
        ("show_images(x_test[:10])\n", "last value"),
        ("fig = show_images(x_test[:10])\ndisplay(fig)\n", "display()"),
        ("ax = plot_confusion(counts)\ndisplay(ax.figure)\n", "display()"),
        ("fig, ax = plt.subplots()\nax.plot([1, 2])\n", "never calls show"),
        ("plt.plot(x, y)\nx = 1\n", "never calls show"),
        ("fig = show_images(x)\nshow(fig)\n", "without alt"),
        ("fig = show_images(x)\nshow(fig, '')\n", "typed, not computed"),
        ("fig = show_images(x)\nshow(fig, 'Ten digits of the test set.')\n", "typed, not computed"),
        ("fig = show_images(x)\nshow(fig, f'{n} digits; 9 of 10 right.')\n", "a number typed"),
        (
            "fig = show_images(x)\nalt = f'The {n} digits, 0.5 % wrong.'\nshow(fig, alt)\n",
            "a number typed",
        ),
        (
            "fig = show_images(x)\nshow(fig, 'Digits: ' + ', '.join(\n"
            "    f'{k} read as 7 of 20' for k in labels))\n",
            "a number typed",
        ),
    ],
)
def test_planted_figures_are_caught(source, expected):
    problems = figure_problems(source)
    assert any(expected in p for p in problems), (source, problems)


@pytest.mark.parametrize(
    "source",
    [
        DESCRIBED,
        "fig = show_images(x, title='digits')\nalt = f'{len(x)} digits of W1.'\nshow(fig, alt)\n",
        "ax = plot_confusion(counts)\nshow(ax.figure, 'Confusion of the test "
        "set. ' + describe_confusion(counts))\n",
        "display(Markdown(f'{x:.2f}'))\ndisplay(panel)\n",
        "%matplotlib inline\nplt.close('all')\n",
        "show(*photo_steps(image, title='your letter'))\n",
        "fig = plot_points(x)\nshow(fig, f'{k} letters; 1-NN reads {n}.')\n",
        "fig = plot_rates(x)\nshow(fig, f'Error factor against rate: below 1 "
        "up to 2/L = {limit:.2f}, for epochs 1 to {n}.')\n",
    ],
)
def test_described_figures_pass(source):
    assert figure_problems(source) == []
