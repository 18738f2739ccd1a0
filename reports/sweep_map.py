"""``python -m reports sweep FILE [FILE ...] -o OUT_DIR``: claim-validity maps from sweep records (issue 15).

A sweep record (``lstm_bench.kind == "sweep"``, schema 1, merged) judges one claim in every cell of
a grid of recipe settings, on several seeds per cell. Per sweep this writes a heatmap (x:
``axes[0]``, y: ``axes[1]``, one panel per value of ``axes[2]``; colour: the rule's margin, red where
the claim fails, blue where it holds; a glyph per outcome; ``Q``/``F`` where the quick and full
recipes lie) and a Markdown section with one generated sentence saying where the claim holds.
Reads JSON only; trains nothing, imports no TensorFlow.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import shlex
import statistics
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_cases.record import effects
from lstm_cases.record.atomic import write_folder
from lstm_cases.record.load import InputError, as_dict, as_list, number, numbers, read_json, record_of, stack_label
from lstm_cases.record.schema import SWEEP
from reports.command import error
from reports.markdown import DASH, code, table

PROG = "python -m reports sweep"
OUTCOMES = ("holds", "some", "mixed", "none", "vanishes", "reverses")
GLYPHS = {"holds": "●", "some": "◐", "mixed": "⊖", "none": "○", "vanishes": "=", "reverses": "↺"}  # DejaVu Sans
PHRASES = {  # the sentence's order: where it holds first, then the special kinds of "some" and "none"
    "holds": "holds on every seed",
    "some": "holds on some seeds",
    "mixed": "holds on some seeds but the other side is better on average",
    "vanishes": "vanishes (both sides equal)",
    "reverses": "reverses (the other side is better)",
}
MARK_LETTERS = {"quick": "Q", "full": "F"}
MARK_STYLE = {"fontweight": "bold", "bbox": {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "black", "lw": 0.5}}
Pos = tuple[int, ...]


def fmt(value: Any) -> str:
    """An axis value as text: numbers with ``:g``, booleans as JSON writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def same(a: Any, b: Any) -> bool:
    """Equal axis values; numbers within float tolerance (a mark's point is computed, not copied)."""
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@dataclass
class Sweep:
    """One sweep of a record: ``spec`` is ``lstm_bench.sweeps[key]``, ``record`` the whole ``lstm_bench``."""

    key: str
    path: str
    spec: dict[str, Any]
    record: dict[str, Any]
    cells: dict[Pos, dict[str, Any]]  # grid position (index per axis) -> cell

    @property
    def axes(self) -> list[dict[str, Any]]:
        return self.spec["axes"]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a["values"]) for a in self.axes)

    def label(self, i: int) -> str:
        return str(self.axes[i].get("label") or self.axes[i]["field"])

    def position(self, point: Any) -> Pos | None:
        """The grid position of a point (``{field: value}``), or None when any value is off the grid."""
        point = as_dict(point)
        found = [
            [i for i, v in enumerate(a["values"]) if a["field"] in point and same(v, point[a["field"]])]
            for a in self.axes
        ]
        return tuple(hits[0] for hits in found) if all(found) else None


def sweep_stack(sweep: Sweep) -> tuple[dict[str, Any], str]:
    """The stack a sweep ran on and why that one: each claim's own (a run may hold sweeps of two backends)."""
    return as_dict(sweep.spec.get("stack")), str(sweep.spec.get("stack_choice") or "")


def letter(name: str) -> str:
    """A recipe mark's letter on the map: Q (quick), F (full), else the name's initial."""
    return MARK_LETTERS.get(name, name[:1].upper())


def mark_cell(sweep: Sweep, name: str) -> Pos | None:
    """The grid position of a recipe mark (``"quick"``, ``"full"``), or None when it lies off the grid."""
    return sweep.position(as_dict(as_dict(sweep.spec.get("marks")).get(name)).get("point"))


def sweeps_of(raw: Any, path: Path | str) -> list[Sweep]:
    """The sweeps of one parsed sweep record; InputError (one line naming the file) for anything else."""
    record = record_of(path, raw, SWEEP)
    if record.get("shard") is not None:
        merge = "merge the shards first with python -m lstm_cases.tools.merge"
        raise InputError(path, f"shard {record['shard']}: one part of a sweep; {merge}")
    if not isinstance(record.get("sweeps"), dict) or not record["sweeps"]:
        raise InputError(path, 'no "sweeps" in the record')
    return [_sweep(path, key, spec, record) for key, spec in record["sweeps"].items()]


def _sweep(path: Path | str, key: str, spec: Any, record: dict[str, Any]) -> Sweep:
    def bad(problem: str) -> InputError:
        return InputError(path, f"sweep {key!r}: {problem}")

    axes = as_list(as_dict(spec).get("axes"))
    if not 1 <= len(axes) <= 3:
        raise bad(f"{len(axes)} axes; a sweep has 1 to 3")
    for axis in axes:
        if not isinstance(as_dict(axis).get("field"), str) or not as_list(axis.get("values")):
            raise bad("an axis without a field name or without values")
        if axis.get("partner_values") is not None and len(as_list(axis["partner_values"])) != len(axis["values"]):
            raise bad(f"axis {axis['field']!r}: partner_values is not one value per value")
    sweep = Sweep(str(key), str(path), spec, record, {})
    for c in as_list(spec.get("cells")):
        pos = sweep.position(as_dict(c).get("point"))
        if pos is None or pos in sweep.cells:
            raise bad(f"cell {as_dict(c).get('point')!r} is {'off the grid' if pos is None else 'there twice'}")
        if c.get("outcome") not in OUTCOMES:
            raise bad(f"cell {c['point']!r} has outcome {c.get('outcome')!r}; expected one of {', '.join(OUTCOMES)}")
        sweep.cells[pos] = _with_effect(spec, c)
    if len(sweep.cells) != math.prod(sweep.shape):
        raise bad(f"{len(sweep.cells)} cells for a grid of {math.prod(sweep.shape)} points")
    return sweep


def cell_effect(spec: dict[str, Any], cell: dict[str, Any]) -> effects.Effect | None:
    """The cell's effect as its record keeps it; for a record older than effects, computed from the cell's
    values as the claim's rule would (the rule's kind read from its text). None without values."""
    kept = effects.Effect.from_dict(as_dict(cell.get("effect")))
    values, others = numbers(cell.get("values")), numbers(cell.get("others"))
    if kept is not None or not values:
        return kept
    if not spec.get("paired"):
        return effects.median_effect(values)
    if len(others) != len(values):
        return None
    ratio = "ratio" in str(spec.get("rule"))
    return (effects.ratio_effect if ratio else effects.difference_effect)(values, others)


def _with_effect(spec: dict[str, Any], cell: dict[str, Any]) -> dict[str, Any]:
    """The cell with its effect, and "mixed" for "some" where the mean effect is reversed (an older record)."""
    effect = cell_effect(spec, cell)
    if effect is None:
        return cell
    outcome = "mixed" if cell["outcome"] == "some" and effect.reversed else cell["outcome"]
    return {**cell, "effect": effect.as_dict(), "outcome": outcome}


def load_sweeps(paths: list[Path] | list[str]) -> list[Sweep]:
    """Every sweep of every file, in file order; InputError for a file that is not a merged sweep record."""
    return [s for path in paths for s in sweeps_of(read_json(path, "sweep record"), path)]


# --------------------------------------------------------------------------- the sentence


def _ranges(sweep: Sweep, flags: list[bool]) -> str:
    """Grid positions on axes[0] as ranges: "epochs 50-150", "epochs >= 150", "epochs <= 50", "any epochs"."""
    values, last, label = sweep.axes[0]["values"], len(flags) - 1, sweep.label(0)
    parts = []
    for flag, group in itertools.groupby(range(len(flags)), key=lambda i: flags[i]):
        run = list(group)
        a, b = run[0], run[-1]
        if not flag:
            continue
        if a == 0 and b == last:
            return f"any {label}"
        if a == b and b != last:
            parts.append(fmt(values[a]))
        elif b == last:
            parts.append(f">= {fmt(values[a])}")
        elif a == 0:
            parts.append(f"<= {fmt(values[b])}")
        else:
            parts.append(f"{fmt(values[a])}-{fmt(values[b])}")
    return f"{label} {', '.join(parts)}"


def _where(sweep: Sweep, groups: list[Pos]) -> str:
    """Groups (positions on axes[1:]) as "learning rate 0.001 or 0.01, batch size 1"; a fully covered axis: "any"."""
    parts = []
    for i, axis in enumerate(sweep.axes[1:]):
        seen = sorted({g[i] for g in groups})
        text = " or ".join(fmt(axis["values"][j]) for j in seen)
        parts.append(
            f"any {sweep.label(i + 1)}" if len(seen) == len(axis["values"]) > 1 else f"{sweep.label(i + 1)} {text}"
        )
    return ", ".join(parts)


def holds_where(sweep: Sweep) -> str:
    """One sentence saying where the claim holds on the grid, generated from the cells' outcomes."""
    outcomes = [c["outcome"] for c in sweep.cells.values()]
    if all(o == "holds" for o in outcomes):
        return "holds everywhere on this grid"
    groups = list(itertools.product(*(range(n) for n in sweep.shape[1:])))
    clauses = []
    for outcome, phrase in PHRASES.items():
        by_text: dict[str, list[Pos]] = {}  # groups with the same ranges are said once
        for g in groups:
            flags = [sweep.cells[(x, *g)]["outcome"] == outcome for x in range(sweep.shape[0])]
            if any(flags):
                by_text.setdefault(_ranges(sweep, flags), []).append(g)
        if not by_text:
            continue
        said = [_grouped(sweep, text, gs, len(groups)) for text, gs in by_text.items()]
        clauses.append(f"{phrase} {'; '.join(said)}")
    if not any(o in ("holds", "some", "mixed") for o in outcomes):
        clauses.append("holds nowhere on this grid")
    elif "none" in outcomes:
        clauses.append("fails elsewhere")
    return "; ".join(clauses)


def _grouped(sweep: Sweep, text: str, groups: list[Pos], n_groups: int) -> str:
    if len(groups) == n_groups:  # the same everywhere on the other axes (or there are none)
        return f"at {text} ({_where(sweep, groups)})" if len(sweep.axes) > 1 else f"at {text}"
    # merge only along axes[1] (groups that share the facet value): simple, and still exact
    by_facet: dict[Pos, list[Pos]] = {}
    for g in groups:
        by_facet.setdefault(g[1:], []).append(g)
    return "; ".join(f"at {_where(sweep, gs)}: {text}" for gs in by_facet.values())


def sentence(sweep: Sweep) -> str:
    """The generated sentence of :func:`holds_where` (what the Markdown section and docs/claims.md show)."""
    return holds_where(sweep)


# --------------------------------------------------------------------------- the figure


def _point_text(sweep: Sweep, point: Any) -> str:
    """A point as "epochs 150, learning rate 0.001": axis labels for the swept fields, field names for others."""
    labels = {a["field"]: sweep.label(i) for i, a in enumerate(sweep.axes)}
    return ", ".join(f"{labels.get(k, k)} {fmt(v)}" for k, v in as_dict(point).items())


def _caption(sweep: Sweep) -> str:
    legend = "   ".join(f"{g} {o}" for o, g in GLYPHS.items()) + "   grey: no margin"
    lines = [
        f"{legend}   (colour: the rule's margin; red: fails, blue: holds; small: median {sweep.spec.get('metric')})"
    ]
    for name, mark in as_dict(sweep.spec.get("marks")).items():
        what = f"{letter(name)} = {name}" + (" = the source's recipe" if sweep.spec.get("source_is") == name else "")
        point = _point_text(sweep, as_dict(mark).get("point"))
        lines.append(what + (f": off the grid ({point})" if mark_cell(sweep, name) is None else ""))
        why = _why_off_grid(sweep, name)
        if why:
            lines.append(f"   why: {why}")
    return "\n".join(lines)


def _why_off_grid(sweep: Sweep, name: str) -> str:
    """Why the recipe mark ``name`` lies off the grid, where it is the source's and its sweep says why."""
    off = mark_cell(sweep, name) is None
    return str(sweep.spec.get("source_off_grid") or "") if off and sweep.spec.get("source_is") == name else ""


def heatmap(sweep: Sweep) -> bytes:
    """The claim-validity map as PNG bytes (matplotlib's Agg renderer, no pyplot)."""
    import numpy as np  # matplotlib only once the input is known good
    from matplotlib import colormaps
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure

    from reports.figures import png_bytes

    nx, ny, nf = (*sweep.shape, 1, 1)[:3]
    cell_w = max(0.45, min(0.9, 9.0 / (nx * nf)))  # inches per cell: wide grids get narrower cells
    roomy = cell_w >= 0.55
    fig = Figure(figsize=(max(5.5, cell_w * nx * nf + 2.2), max(3.2, 0.55 * ny + 2.6)), layout="constrained")
    axs = fig.subplots(1, nf, sharey=True, squeeze=False)[0]
    margins = [m for m in (number(c.get("margin")) for c in sweep.cells.values()) if m is not None]
    top = max((abs(m) for m in margins), default=0.0) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-top, vmax=top)
    cmap = colormaps["RdBu"].with_extremes(bad="#c8c8c8")
    marks = {letter(n): mark_cell(sweep, n) for n in as_dict(sweep.spec.get("marks"))}
    image = None
    for f, ax in enumerate(axs):
        grid = np.full((ny, nx), np.nan)
        for x, y in itertools.product(range(nx), range(ny)):
            pos = (x, y, f)[: len(sweep.shape)]
            c = sweep.cells[pos]
            m = number(c.get("margin"))
            grid[y, x] = np.nan if m is None else m
            dark = m is not None and abs(norm(m) - 0.5) > 0.3  # white text on the deep reds and blues
            kw = {"ha": "center", "va": "center", "color": "white" if dark else "black"}
            ax.text(x, y + (0.08 if roomy else 0), GLYPHS[c["outcome"]], fontsize=13, **kw)
            if numbers(c.get("values")) and roomy:  # the median fits under the glyph only in a wide enough cell
                ax.text(x, y - 0.28, f"{statistics.median(numbers(c['values'])):.3g}", fontsize=6.5, **kw)
            for k, (mark, at) in enumerate(marks.items()):  # Q in the top left corner, F in the top right
                if at == pos:
                    side = {"x": x - 0.46, "ha": "left"} if k == 0 else {"x": x + 0.46, "ha": "right"}
                    ax.text(y=y + 0.44, s=mark, va="top", fontsize=8, **side, **MARK_STYLE)
        edges = np.arange(nx + 1) - 0.5, np.arange(ny + 1) - 0.5
        image = ax.pcolormesh(*edges, np.ma.masked_invalid(grid), cmap=cmap, norm=norm, edgecolors="white", lw=1.5)
        xs = sweep.axes[0]
        ticks = [fmt(v) for v in xs["values"]]
        if xs.get("partner_values") is not None:  # the compare_to case's own value at each position
            ticks = [f"{t}\n(vs {fmt(p)})" for t, p in zip(ticks, xs["partner_values"], strict=True)]
        ax.set_xticks(range(nx), ticks, fontsize=8)
        ax.set_xlabel(sweep.label(0))
        if len(sweep.axes) > 1:
            ax.set_yticks(range(ny), [fmt(v) for v in sweep.axes[1]["values"]], fontsize=8)
            if f == 0:
                ax.set_ylabel(sweep.label(1))
        else:
            ax.set_yticks([])
        if len(sweep.axes) > 2:
            ax.set_title(f"{sweep.label(2)} = {fmt(sweep.axes[2]['values'][f])}", fontsize=9)
    fig.colorbar(image, ax=list(axs), label="margin", shrink=0.9)
    width = int(fig.get_figwidth() * 11)  # about 11 title characters per inch at 11 pt
    title = f"{sweep.spec.get('case')}/{sweep.spec.get('claim')}: {sweep.spec.get('text') or ''}"
    fig.suptitle(textwrap.fill(title, width), fontsize=11)
    caption = "\n".join(textwrap.fill(line, int(fig.get_figwidth() * 17)) for line in _caption(sweep).splitlines())
    fig.supxlabel(caption, fontsize=7.5, x=0.01, ha="left")  # about 17 caption characters per inch at 7.5 pt
    return png_bytes(fig)


# --------------------------------------------------------------------------- Markdown and the command


def markdown(sweep: Sweep, figure_name: str) -> str:
    """The sweep's section of the README: claim, rule, sentence, figure, recipes' marks, stack, seeds, cells."""
    spec, record = sweep.spec, sweep.record
    compare = f"; compared to {code(spec['compare_to'])}" if spec.get("compare_to") else ""
    lines = [f"## {sweep.key}", "", f"> {spec.get('text') or DASH}", ""]
    judged_by = f", the {spec['rule_profile']} profile's" if spec.get("rule_profile") else ""
    lines += [f"Rule{judged_by}: {spec.get('rule') or DASH} (metric: {code(spec.get('metric'))}{compare}).", ""]
    lines += [f"**Where it holds:** {sentence(sweep)}.", "", f"![{sweep.key}]({figure_name})", ""]
    for name, mark in as_dict(spec.get("marks")).items():
        point = _point_text(sweep, as_dict(mark).get("point"))
        source = " (the source's recipe)" if spec.get("source_is") == name else ""
        where = "off the grid" if mark_cell(sweep, name) is None else "on the grid"
        why = _why_off_grid(sweep, name)
        where += f": {why}" if why else ""
        other = as_dict(mark).get("other_differences") or "none"
        lines.append(f"- {letter(name)} = {name}{source}: {point} ({where}); other differences: {other}")
    seeds = ", ".join(str(s) for s in as_list(record.get("seeds")))
    stack, choice = sweep_stack(sweep)
    lines += ["", f"Stack: {code(stack_label(stack))}; {choice or DASH}."]
    lines += [f"Seeds: {seeds or DASH} (profile {record.get('profile') or DASH})."]
    trained = sum(sum(numbers(c.get("train_seconds"))) for c in sweep.cells.values())
    when = f"commit {record.get('commit') or DASH}, {record.get('date') or DASH}"
    made = f"Made by {code(record.get('command'))} at {when}"
    lines += [f"{made}; training of this claim's case: {trained:.0f} s.", ""]
    paired = bool(spec.get("paired"))
    lines += [
        "Per cell, the rule judged on each seed alone (held on k of n seeds) and the effect over the cell's "
        "seeds (a paired claim: the mean difference or geometric-mean ratio against the other side, and the "
        "one-sided Wilcoxon signed-rank p of this above the other) with its 95% bootstrap interval, which "
        "with few seeds is wide.",
        "",
    ]
    headers = [sweep.label(i) for i in range(len(sweep.axes))] + ["values"] + (["others"] if paired else [])
    rows = []
    for pos in itertools.product(*(range(n) for n in sweep.shape)):
        c = sweep.cells[pos]
        row = [fmt(a["values"][i]) for a, i in zip(sweep.axes, pos, strict=True)]
        row.append(", ".join(f"{v:.3g}" for v in numbers(c.get("values"))))
        if paired:
            row.append(", ".join(f"{v:.3g}" for v in numbers(c.get("others"))))
        m = number(c.get("margin"))
        held = c.get("seeds_held")
        row.append(f"{held}/{len(numbers(c.get('values')))}" if isinstance(held, int) else DASH)
        effect = effects.Effect.from_dict(as_dict(c.get("effect")))
        row.append(effect.text() if effect is not None else DASH)
        rows.append([*row, DASH if m is None else f"{m:+.3g}", f"{GLYPHS[c['outcome']]} {c['outcome']}"])
    align = "l" * len(headers) + "rlrl"  # numbers right-aligned, like every number column of the reports
    lines += [table([*headers, "rule held on", "effect [95% interval], paired p", "margin", "outcome"], rows, align)]
    lines.append("")
    return "\n".join(lines)


def figure_name(key: str, taken: set[str]) -> str:
    """The PNG's name: the sweep key with "/" -> "__" (and a number when two files hold the same key)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", key.replace("/", "__")).strip("_") or "sweep"
    name, n = f"{stem}.png", 1
    while name in taken:
        n += 1
        name = f"{stem}_{n}.png"
    taken.add(name)
    return name


def main(argv: list[str] | None = None) -> int:
    """``python -m reports sweep``: 0 when README.md and the PNGs are written; 2 (one line on stderr) for bad input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=PROG, description="Claim-validity maps (PNG + README.md) from sweep records.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="sweep records (merged, not shards)")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT_DIR", help="folder for README.md + PNGs")
    args = parser.parse_args(argv)
    try:
        sweeps = load_sweeps(args.files)
    except InputError as err:
        return error(PROG, str(err))
    out: Path = args.out
    if out.exists() and not out.is_dir():
        return error(PROG, f"{out}: exists and is not a directory")
    command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
    taken: set[str] = set()
    figures, sections = {}, []
    for sweep in sweeps:
        name = figure_name(sweep.key, taken)
        figures[name] = heatmap(sweep)
        sections.append(markdown(sweep, name))
    sources = ", ".join(code(p) for p in dict.fromkeys(s.path for s in sweeps))
    text = "\n".join(["# Claim-validity maps", "", f"Made by {code(command)} from {sources}.", "", *sections])
    try:
        readme = write_folder(out, figures, text)
    except OSError as err:
        return error(PROG, f"{err.filename or out}: cannot write: {err.strerror or err}")
    print(f"wrote {readme} and {len(figures)} map(s)")
    return 0
