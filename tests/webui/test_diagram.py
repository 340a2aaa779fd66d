"""The procedure's diagram: drawn by Graphviz from the workflow definition, highlighted, cached."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

from ketnap.engine.workflow import Workflow
from ketnap.webui import diagram
from ketnap.webui.diagram import workflow_svg
from ketnap.workflows.admission import ORDER, OTHER_ENDS, build_workflow

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def wf() -> Workflow:
    return build_workflow()


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, kind: str) -> dict[str, ET.Element]:
    """The <g class="node ..."> (or edge) elements by their <title>: a state name, or 'from->to'."""
    found = {}
    for g in root.iter(f"{SVG}g"):
        if kind in g.get("class", "").split():
            title = g.find(f"{SVG}title")
            assert title is not None and title.text
            found[title.text] = g
    return found


def texts(g: ET.Element) -> str:
    return " ".join(t.text or "" for t in g.iter(f"{SVG}text"))


def child(g: ET.Element, tag: str) -> ET.Element:
    found = g.find(f"{SVG}{tag}")
    assert found is not None, tag
    return found


def shape_fill(g: ET.Element) -> str | None:
    return child(g, "path").get("fill")


def test_inlinable_svg_named_for_screen_readers(wf: Workflow) -> None:
    svg = workflow_svg(wf, "vi")
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Sơ đồ quy trình kết nạp đảng viên"
    assert child(root, "title").text == "Sơ đồ quy trình kết nạp đảng viên"
    assert root.get("viewBox") and root.get("height") is None  # scales with its width
    assert parse(workflow_svg(wf, "en")).get("aria-label") == "Admission procedure diagram"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_state_is_a_node_labelled_in_the_language(wf: Workflow, lang: str) -> None:
    nodes = groups(parse(workflow_svg(wf, lang)), "node")
    assert set(wf.states) <= set(nodes)
    for name, spec in wf.states.items():
        assert texts(nodes[name]) == getattr(spec.label, lang)
        assert "state" in nodes[name].get("class", "").split()


def test_vietnamese_and_english_labels(wf: Workflow) -> None:
    vi, en = workflow_svg(wf, "vi"), workflow_svg(wf, "en")
    assert "Quần chúng cảm tình Đảng" in vi and "Sympathiser" not in vi
    assert "Sympathiser" in en and "Quần chúng cảm tình Đảng" not in en
    assert "Đưa vào danh sách cảm tình" in vi  # an edge label (wrapped over lines)


def test_main_line_runs_top_to_bottom_with_the_other_ends_beside_it(wf: Workflow) -> None:
    nodes = groups(parse(workflow_svg(wf, "en")), "node")

    def centre(name: str) -> tuple[float, float]:
        text = child(nodes[name], "text")
        return float(text.get("x", "nan")), float(text.get("y", "nan"))

    ys = [centre(name)[1] for name in ORDER]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    main_left = max(centre(name)[0] for name in ORDER)
    assert all(centre(name)[0] > main_left for name, _, _ in OTHER_ENDS)


def test_return_for_rework_and_withdraw_are_notes_not_fans_of_edges(wf: Workflow) -> None:
    root = parse(workflow_svg(wf, "en"))
    edges = groups(root, "edge")
    assert not any(title.endswith("->withdrawn") and not title.startswith("note-") for title in edges)
    assert "verified->applied" not in edges
    notes = groups(root, "node")
    assert "Return for rework" in texts(notes["note-return_for_rework"])
    assert "note-withdraw->withdrawn" in edges


def test_current_state_highlighted_strongly_visited_lightly(wf: Workflow) -> None:
    nodes = groups(parse(workflow_svg(wf, "vi", current="verified", path=["source", "sympathiser", "verified"])), "node")
    current, visited, other = nodes["verified"], nodes["sympathiser"], nodes["introduced"]
    assert current.get("class", "").split() == ["node", "state", "current"]
    assert visited.get("class", "").split() == ["node", "state", "visited"]
    assert other.get("class", "").split() == ["node", "state"]
    assert len({shape_fill(current), shape_fill(visited), shape_fill(other)}) == 3
    assert child(current, "text").get("font-weight") == "bold"
    plain = groups(parse(workflow_svg(wf, "vi")), "node")["verified"]
    assert shape_fill(plain) == shape_fill(other)


def test_done_edges_drawn_bold_and_coloured(wf: Workflow) -> None:
    edges = groups(parse(workflow_svg(wf, "vi", done_edges=[("source", "sympathiser")])), "edge")
    done, not_done = edges["source->sympathiser"], edges["sympathiser->training_nominated"]
    assert "done" in done.get("class", "").split() and "done" not in not_done.get("class", "").split()
    done_line, plain_line = child(done, "path"), child(not_done, "path")
    assert done_line.get("stroke") != plain_line.get("stroke")
    assert float(done_line.get("stroke-width", "1")) > float(plain_line.get("stroke-width", "1"))


def test_a_taken_rework_move_is_added_as_a_dashed_done_edge(wf: Workflow) -> None:
    edges = groups(parse(workflow_svg(wf, "en", current="applied", done_edges=[("verified", "applied")])), "edge")
    rework = edges["verified->applied"]
    assert rework.get("class", "").split() == ["edge", "transition", "extra", "done"]
    assert child(rework, "path").get("stroke-dasharray")
    assert "Return for rework" in texts(rework)


def test_unknown_language_or_state_is_refused(wf: Workflow) -> None:
    with pytest.raises(ValueError, match="language"):
        workflow_svg(wf, "fr")
    with pytest.raises(ValueError, match="nowhere"):
        workflow_svg(wf, current="nowhere")
    with pytest.raises(ValueError, match="limbo"):
        workflow_svg(wf, done_edges=[("source", "limbo")])


def test_identical_pictures_are_drawn_once(wf: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    first = workflow_svg(wf, "vi", current="trained", path=["source", "sympathiser"], done_edges=[("source", "sympathiser")])
    hits = diagram._render.cache_info().hits

    def no_dot(*args: object, **kwargs: object) -> str:
        raise AssertionError("dot ran again for a picture already drawn")

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    again = workflow_svg(wf, "vi", current="trained", path=("sympathiser", "source"), done_edges=(("source", "sympathiser"),))
    assert again == first
    assert diagram._render.cache_info().hits == hits + 1
    diagram._render.cache_clear()
    with pytest.raises(AssertionError, match="dot ran again"):  # the same call, once forgotten, does run dot
        workflow_svg(wf, "vi", current="trained", path=["source", "sympathiser"], done_edges=[("source", "sympathiser")])


def test_missing_dot_is_a_clear_runtime_error(wf: Workflow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    diagram._render.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="Graphviz 'dot' not found"):
        workflow_svg(wf, "en")
