"""The procedure's diagram, as SVG to inline in a page, drawn from the workflow definition itself.

A names-only `transitions` GraphMachine (built once per workflow, no callbacks) gives the states and
moves to the library's graphviz backend; `_Diagram` labels them in the page's language, keeps the
main line straight down and the other ends to the side, and highlights one dossier's progress.
Graphviz `dot` lays the picture out locally (no network). A `dot` run costs tens of milliseconds,
so every distinct picture is rendered once and kept in a bounded cache.

The main line is the workflow's states in definition order up to the first terminal one (for the
admission: source … official); the states after it are the other ends. A trigger leaving many states
(withdraw) or whose destination the act names (`dest` None, return for rework) is not drawn as one
edge per possible move: a dashed note names the states it leaves, with one edge to its destination
if it has one. A move of that kind a dossier actually made is drawn as a dashed edge when given in
`done_edges`.

CSS hooks: nodes carry class "state" plus "current" or "visited"; edges carry "transition" plus
"main" (next step of the main line), "skip" (a later one), "loop", "side" (to an other end), "back"
(up the main line) or "extra" (a taken move drawn only because it was taken), and "done" when taken;
the notes are "note", the entry dot "start" and the <svg> "workflow-diagram". Colours are set as
presentation attributes, which page CSS overrides.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import graphviz
from transitions.extensions.diagrams import GraphMachine
from transitions.extensions.diagrams_graphviz import Graph

from ..engine.workflow import Workflow

TITLES = {"vi": "Sơ đồ quy trình kết nạp đảng viên", "en": "Admission procedure diagram"}
NOTE_WORDS = {"vi": ("từ", "về một bước trước đó"), "en": ("from", "back to an earlier step")}
FONT = "DejaVu Sans"
START = "(start)"
LINE = "\\n"  # a line break inside a DOT label
NODE_WRAP = 26
EDGE_WRAP = 28
MANY_SOURCES = 3  # a trigger leaving more states than this is drawn as a note

BASE_NODE = {"shape": "box", "style": "rounded,filled", "fillcolor": "white", "color": "#6b7280",
             "fontname": FONT, "fontsize": "11", "margin": "0.12,0.06", "class": "state"}
NODE_LOOKS = {
    "current": {"fillcolor": "#f59e0b", "color": "#7c2d12", "penwidth": "3", "style": "rounded,filled,bold",
                "class": "state current"},
    "visited": {"fillcolor": "#dbeafe", "color": "#1d4ed8", "class": "state visited"},
}
BASE_EDGE = {"color": "#4b5563", "fontcolor": "#374151", "fontname": FONT, "fontsize": "9", "arrowsize": "0.7"}
EDGE_KINDS = {
    "main": {"weight": "10"},
    "skip": {},
    "loop": {},
    "side": {"color": "#9ca3af", "fontcolor": "#6b7280"},
    "back": {"color": "#9ca3af", "fontcolor": "#6b7280", "constraint": "false"},
    "extra": {"style": "dashed", "constraint": "false"},
}
DONE_EDGE = {"color": "#1d4ed8", "fontcolor": "#1d4ed8", "penwidth": "2.5", "arrowsize": "0.9"}


class _Machine(GraphMachine):
    """Carries the defaults the graphviz backend applies to the whole picture."""

    machine_attributes = {"directed": "true", "strict": "false", "rankdir": "TB", "charset": "UTF-8",
                          "fontname": FONT, "nodesep": "0.35", "ranksep": "0.4"}
    style_attributes = {"node": {"default": BASE_NODE}, "edge": {"default": BASE_EDGE}, "graph": {"default": {}}}


class _Diagram(Graph):
    """transitions' graphviz backend, labelled in one language, with one dossier's progress highlighted."""

    def __init__(self, machine: _Machine, workflow: Workflow, lang: str, current: str | None,
                 visited: frozenset[str], done: frozenset[tuple[str, str]]):
        self.workflow = workflow
        self.lang = lang
        self.current = current
        self.visited = visited
        self.done = done
        names = list(workflow.states)
        first_end = next((i for i, n in enumerate(names) if workflow.states[n].terminal), len(names) - 1)
        self.main = {name: i for i, name in enumerate(names[: first_end + 1])}
        self.noted = [t for t in workflow.transitions.values() if t.dest is None or len(t.sources) > MANY_SOURCES]
        super().__init__(machine)  # type: ignore[arg-type]

    def _trigger_label(self, trigger: str) -> str:
        return _wrap(getattr(self.workflow.transitions[trigger].label, self.lang), EDGE_WRAP)

    def _kind(self, source: str, dest: str) -> str:
        if dest == source:
            return "loop"
        if dest not in self.main:
            return "side"
        if source not in self.main or self.main[dest] < self.main[source]:
            return "back"
        return "main" if self.main[dest] == self.main[source] + 1 else "skip"

    def _edge(self, container: Any, source: str, dest: str, kind: str, label: str) -> None:
        taken = (source, dest) in self.done
        classes = f"transition {kind}" + (" done" if taken else "")
        container.edge(source, dest, label=label, **{**EDGE_KINDS[kind], **(DONE_EDGE if taken else {}), "class": classes})

    def _add_nodes(self, states: list[dict[str, str]], container: Any) -> None:
        for state in states:
            name = state["name"]
            text = _wrap(getattr(self.workflow.states[name].label, self.lang), NODE_WRAP)
            if name == self.current:  # bold through an HTML-like label: SVG viewers know no "DejaVu Sans Bold" family
                label, look = "<<b>" + "<br/>".join(html.escape(line) for line in text.split(LINE)) + "</b>>", "current"
            else:
                label, look = text, "visited" if name in self.visited else ""
            container.node(name, label=label, **({"group": "main"} if name in self.main else {}), **NODE_LOOKS.get(look, {}))

    def _add_edges(self, transitions: list[dict[str, str]], container: Any) -> None:
        # A trigger leaving several states is labelled once, on the edge from its latest source.
        noted = {t.trigger for t in self.noted}
        order = {name: i for i, name in enumerate(self.workflow.states)}
        drawn = [t for t in transitions if t["trigger"] not in noted]
        labelled = {t["trigger"]: max((u["source"] for u in drawn if u["trigger"] == t["trigger"]), key=order.__getitem__)
                    for t in drawn}
        for t in drawn:
            source, dest = t["source"], t["dest"]
            self._edge(container, source, dest, self._kind(source, dest),
                       self._trigger_label(t["trigger"]) if labelled[t["trigger"]] == source else "")
        for source, dest in sorted(self.done - {(t["source"], t["dest"]) for t in drawn}):
            triggers = [t for t in self.workflow.triggers_from(source) if dest in self.workflow.targets(t, source)]
            self._edge(container, source, dest, "extra", LINE.join(self._trigger_label(t) for t in triggers))

    def get_graph(self, title: str | None = None, roi_state: str | None = None) -> Any:
        graph = super().get_graph(title=title, roi_state=roi_state)
        del graph.graph_attr["label"]  # the page has its own heading; the title stays for screen readers
        with graph.subgraph(name="entry", graph_attr={"rank": "source"}) as entry:
            entry.node(START, label="", shape="circle", style="filled", fillcolor="#4b5563", color="#4b5563",
                       width="0.18", fixedsize="true", group="main", **{"class": "start"})
        for spec in self.workflow.transitions.values():
            if not spec.sources and spec.dest:
                self._edge(graph, START, spec.dest, "main", self._trigger_label(spec.trigger))
            elif spec not in self.noted and spec.dest and spec.dest not in self.main:
                # An other end sits level with the last main-line state leading to it; the flat edge puts it on the right.
                with graph.subgraph(name=f"rank-{spec.trigger}", graph_attr={"rank": "same"}) as row:
                    row.node(max((s for s in spec.sources if s in self.main), key=self.main.__getitem__))
                    row.node(spec.dest)
        for spec in self.noted:
            self._note(graph, spec.trigger, spec.sources, spec.dest)
        return graph

    def _note(self, graph: Any, trigger: str, sources: tuple[str, ...], dest: str | None) -> None:
        """A dashed note beside the trigger's first source naming the states it leaves, with an edge to `dest`."""
        came_from, earlier = NOTE_WORDS[self.lang]
        first, last = (f"«{getattr(self.workflow.states[s].label, self.lang)}»" for s in (sources[0], sources[-1]))
        lines = [f"↺ {self._trigger_label(trigger)}" if dest is None else self._trigger_label(trigger), _wrap(f"{came_from} {first} … {last}", EDGE_WRAP)]
        note = f"note-{trigger}"
        with graph.subgraph(name=f"rank-{trigger}", graph_attr={"rank": "same"}) as row:
            row.node(note, label=LINE.join(lines if dest else [*lines, earlier]), shape="note", style="dashed",
                     color="#6b7280", fontcolor="#374151", fontname=FONT, fontsize="9", **{"class": "note"})
            row.node(sources[0])
        graph.edge(sources[0], note, style="dashed", arrowhead="none", color="#9ca3af", **{"class": "note"})
        if dest:
            graph.edge(note, dest, color="#9ca3af", **{"class": "transition side"})


def _wrap(text: str, width: int) -> str:
    return LINE.join(textwrap.wrap(text, width)) or text


@lru_cache(maxsize=8)
def _machine(workflow: Workflow) -> _Machine:
    """The workflow's states and moves by name only, for the diagram backend."""
    moves = [{"trigger": t.trigger, "source": source, "dest": t.dest}
             for t in workflow.transitions.values() if t.dest for source in t.sources]
    machine = _Machine(model=None, states=list(workflow.states), transitions=moves, initial=workflow.initial,
                       auto_transitions=False, graph_engine="graphviz")
    machine.get_markup_config()  # built lazily: build it now, so that threads drawing at once only read it
    return machine


@lru_cache(maxsize=512)
def _render(workflow: Workflow, lang: str, current: str | None, visited: frozenset[str],
            done: frozenset[tuple[str, str]]) -> str:
    graph = _Diagram(_machine(workflow), workflow, lang, current, visited, done).get_graph(title=TITLES[lang])
    try:
        svg: str = graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError("Graphviz 'dot' not found: install Debian's graphviz (make install does)") from exc
    return _inline(svg, TITLES[lang])


def _inline(svg: str, title: str) -> str:
    """The <svg> element alone, scaling with its width (the viewBox gives the height), named for screen readers."""
    svg = svg[svg.index("<svg"):]
    end = svg.index(">") + 1
    tag = re.sub(r'\s+height="[^"]*"', "", svg[:end])
    tag = tag.replace("<svg", f'<svg class="workflow-diagram" role="img" aria-label="{title}"', 1)
    return f"{tag}\n<title>{title}</title>{svg[end:]}"


def workflow_svg(workflow: Workflow, lang: str = "vi", current: str | None = None, path: Sequence[str] = (),
                 done_edges: Sequence[tuple[str, str]] = ()) -> str:
    """SVG text (no XML prolog, no DOCTYPE, so it can be inlined in HTML) of the procedure.

    States are labelled in `lang` ('vi' or 'en'), the main line top to bottom, the other ends to the
    side. The `current` state is highlighted strongly (filled, bold border), states in `path`
    (visited so far) lightly, and edges in `done_edges` ((from_state, to_state) pairs actually
    taken) are drawn bold and coloured; a taken move that is not a drawn edge (return for rework) is
    added as a dashed edge. The order of `path` and `done_edges` does not matter.

    Raises ValueError for an unknown language or state, RuntimeError when Graphviz `dot` is missing.
    """
    if lang not in TITLES:
        raise ValueError(f"unknown language {lang!r}: 'vi' or 'en'")
    visited = frozenset(path)
    done = frozenset((source, dest) for source, dest in done_edges)
    unknown = {*([current] if current else []), *visited, *(s for edge in done for s in edge)} - workflow.states.keys()
    if unknown:
        raise ValueError(f"unknown state(s): {', '.join(sorted(unknown))}")
    return _render(workflow, lang, current, visited, done)
