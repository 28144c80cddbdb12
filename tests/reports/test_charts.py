"""The reports' charts (`arrears.reports.charts`): SVG that a page shows inline and a PDF embeds, letters drawn as
paths, the same bytes for the same figures."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from arrears.reports.charts import Series, bar_chart, data_uri, heat_table, line_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]


def recovery(target: Decimal | None = Decimal("0.80")) -> str:
    return line_chart(
        "轻度逾期回收率",
        MONTHS,
        [
            Series("轻度", [Decimal("0.8123"), Decimal("0.7790"), None, Decimal("0.8510")]),
            Series("重度", [Decimal("0.4012"), Decimal("0.5200"), Decimal("0.5500"), Decimal("0.4900")]),
        ],
        target=target,
        percent=True,
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the charts' own output, made in the test


def groups(svg: str, name: str) -> list[ET.Element]:
    """The <g> elements whose id ends with `-name` (ids carry the chart's prefix)."""
    return [g for g in parse(svg).iter(f"{SVG}g") if g.get("id", "").endswith(f"-{name}")]


def comments(svg: str) -> list[str]:
    """The texts matplotlib notes beside each label it draws as paths."""
    return [text.strip() for text in re.findall(r"<!--(.*?)-->", svg, re.S)]


def test_a_chart_is_one_svg_element_labelled_with_its_title():
    svg = recovery()
    root = parse(svg)  # well-formed, and nothing before the element (inline in a page)
    assert svg.startswith("<svg ")
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "轻度逾期回收率"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "轻度逾期回收率"


def test_chinese_is_drawn_as_paths_so_no_font_is_needed_where_it_is_shown():
    svg = recovery()
    root = parse(svg)
    assert list(root.iter(f"{SVG}text")) == []
    glyphs = [path.get("id") for path in root.iter(f"{SVG}path") if "NotoSansCJK" in (path.get("id") or "")]
    assert len(glyphs) >= len(set("轻度逾期回收率重")), glyphs  # each character's outline, once
    assert "轻度逾期回收率" in comments(svg)


def test_one_group_per_series_and_a_gap_for_a_missing_month():
    svg = recovery()
    assert [len(groups(svg, f"series-{n}")) for n in (1, 2, 3)] == [1, 1, 0]
    mild_line = groups(svg, "series-1")[0].find(f"{SVG}path").get("d")
    severe_line = groups(svg, "series-2")[0].find(f"{SVG}path").get("d")
    assert mild_line.count("M") == 2  # January–February, then April alone: the line breaks at March
    assert severe_line.count("M") == 1


def test_the_target_is_a_dashed_horizontal_line():
    """Clause: KPI-1 — recovery against its target (mild > 80 %): the target drawn across every month."""
    svg = recovery(Decimal("0.80"))
    (target,) = groups(svg, "target")
    path = target.find(f"{SVG}path")
    points = re.findall(r"[ML] ([\d.]+) ([\d.]+)", path.get("d"))
    assert len(points) == 2
    assert points[0][1] == points[1][1]  # the same height at both ends
    assert "stroke-dasharray" in path.get("style")
    assert groups(recovery(None), "target") == []


def test_the_target_line_is_named_in_the_readers_language():
    with translation.override("zh-hans"):
        svg = recovery()
    assert "目标" in comments(svg)


def test_the_same_figures_give_the_same_bytes():
    assert recovery() == recovery()
    assert recovery(Decimal("0.80")) != recovery(Decimal("0.75"))
    heat = heat_table("迁徙率", ["M1"], ["M1", "M2"], [[Decimal("0.6"), Decimal("0.4")]])
    assert heat == heat_table("迁徙率", ["M1"], ["M1", "M2"], [[Decimal("0.6"), Decimal("0.4")]])


def test_two_charts_in_one_page_share_no_ids():
    ids = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in (recovery(Decimal("0.8")), recovery(Decimal("0.7")))]
    assert len(ids[0]) > 50
    assert ids[0].isdisjoint(ids[1])
    svg = recovery()
    own = set(re.findall(r'\bid="([^"]+)"', svg))
    assert set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg)) <= own  # every reference stays inside the chart


def test_stacked_bars_one_group_per_series_one_bar_per_value():
    svg = bar_chart(
        "各账龄段案件数",
        ["2026-01", "2026-02", "2026-03"],
        [Series("M1", [120, 131, 140]), Series("M2", [40, None, 52]), Series("M3", [0, 9, 11])],
        stacked=True,
    )
    assert [len(g.findall(f"{SVG}path")) for n in (1, 2, 3) for g in groups(svg, f"series-{n}")] == [3, 2, 3]
    assert "各账龄段案件数" in comments(svg)


def test_money_in_fen_and_in_yuan_draw_the_same_bars():
    in_fen = bar_chart("回收金额", ["2026-03"], [Series("回收", [123_456])], money=True)
    in_yuan = bar_chart("回收金额", ["2026-03"], [Series("回收", [Decimal("1234.56")])], money=True)
    assert in_fen == in_yuan
    assert "1,200" in comments(in_fen)  # the value axis in yuan, grouped


def test_a_roll_rate_matrix_shows_each_rate_rounded_half_up_to_a_tenth_of_a_percent():
    svg = heat_table(
        "迁徙率",
        ["M1", "M2"],
        ["M1", "M2", "M3"],
        [[Decimal("0.1235"), Decimal("0.8765"), None], [Decimal("0.05"), Decimal("0.45"), Decimal("0.5")]],
        rows_title="本月",
        columns_title="下月",
    )
    texts = comments(svg)
    assert [t for t in texts if t.endswith("%") or t == "–"] == ["12.4%", "87.7%", "–", "5.0%", "45.0%", "50.0%"]
    assert {"本月", "下月", "M3"} <= set(texts)
    assert len(groups(svg, "cells")) == 1


def test_no_figures_make_a_chart_that_says_so():
    with translation.override("zh-hans"):
        assert "暂无数据。" in comments(line_chart("回收率", MONTHS, [Series("轻度", [None] * 4)]))
        assert "暂无数据。" in comments(bar_chart("案件数", [], []))
        assert "暂无数据。" in comments(heat_table("迁徙率", ["M1"], ["M2"], [[None]]))
    said = comments(line_chart("回收率", [], [], empty="本月尚未结束"))
    assert "本月尚未结束" in said
    assert "回收率" in said


def test_labels_are_text_whatever_they_hold():
    title = '<script>alert(1)</script> -- "$1$ & $2$"\x00'
    svg = line_chart(title, ["a$b$"], [Series("$x$", [1])])
    root = parse(svg)
    assert root.get("aria-label") == '<script>alert(1)</script> -- "$1$ & $2$"'
    assert list(root.iter(f"{SVG}script")) == []
    assert "a$b$" in comments(svg)  # not read as a formula


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Series("rate", [0.5]), TypeError),
        (lambda: Series("count", [True]), TypeError),
        (lambda: Series("rate", [Decimal("NaN")]), TypeError),
        (lambda: line_chart("t", ["a", "b"], [Series("s", [1])]), ValueError),
        (lambda: line_chart("t", ["a"], [Series("s", [1])], target=0.8), TypeError),
        (lambda: line_chart("t", ["a"], [Series("s", [1])], money=True, percent=True), ValueError),
        (lambda: bar_chart("t", ["a"], [Series("s", [-1])], stacked=True), ValueError),
        (lambda: heat_table("t", ["a"], ["b"], [[0.5]]), TypeError),
        (lambda: heat_table("t", ["a"], ["b", "c"], [[Decimal(1)]]), ValueError),
    ],
)
def test_figures_that_are_not_figures_are_refused(make, error):
    with pytest.raises(error):
        make()


def test_the_pdf_shows_the_same_chart_drawn_without_a_font(caplog):
    """Clause: REV-1 — the review pack's PDF carries the page's chart: WeasyPrint draws the SVG (an image from
    `data_uri`) as paths, with no font and no warning."""
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    svg = recovery()
    with caplog.at_level(logging.WARNING):
        pdf = HTML(string=f'<html><body><img style="width:16cm" src="{data_uri(svg)}"></body></html>').write_pdf()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    drawing = page.get_contents().get_data()
    assert len(re.findall(rb" c\n", drawing)) > 500  # the glyphs' curves
    assert len(re.findall(rb" l\n", drawing)) > 20  # the lines and the axes
    fonts = page["/Resources"]["/Font"].get_object()
    assert dict(fonts) == {}  # every letter is a path


def test_importing_the_module_does_not_load_matplotlib():
    """matplotlib takes about half a second to import: the web tier pays for it on the first chart only."""
    code = "import sys, arrears.reports.charts; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False"
