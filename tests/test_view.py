"""`kg show` and `kg view` as a user runs them; the HTML page checked in a real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

PAPERS = [
    {"id": "2401.00001", "title": "FooNet: a network for bar", "date": "2024-01-02", "authors": ["Ann Z", "Bob A"],
     "abstract": "We propose FooNet, a new network. We train FooNet on ImageNet and CIFAR-10 and compare it with "
                 "ResNet-50. Code is at https://github.com/foo/foonet."},
    {"id": "2402.00002", "title": "Studying ImageNet shortcuts", "date": "2024-02-03", "authors": ["Cy D"],
     "abstract": "We evaluate ResNet-50 and FooNet on ImageNet and ImageNet-R and find shortcut features."},
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("view")
    src = d / "papers.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    r = CliRunner().invoke(cli, ["ingest", str(src), "--store", str(d / "store"), "--quiet"])
    assert r.exit_code == 0, r.output
    return d / "store"


def _run(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=120)


def test_show_dataset_lists_papers_evidence_and_co_used(store: Path) -> None:
    r = _run("show", "imagenet", "--store", str(store))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("Dataset  ImageNet")
    assert "used by (2):" in out
    # both papers, newest first, each with its sentence as evidence
    assert out.index("Studying ImageNet shortcuts") < out.index("FooNet: a network for bar")
    assert "“We evaluate ResNet-50 and FooNet on ImageNet and ImageNet-R" in out
    assert re.search(r"datasets used alongside: .*CIFAR-10 \(1\)", out)
    assert re.search(r"methods named alongside: .*ResNet-50 \(2\)", out)
    assert "Traceback" not in r.stderr


def test_show_paper_by_key_and_by_title(store: Path) -> None:
    by_key = _run("show", "arxiv:2401.00001", "--store", str(store))
    by_title = _run("show", "network for BAR", "--store", str(store))
    assert by_key.returncode == by_title.returncode == 0
    assert by_key.stdout == by_title.stdout
    assert "Paper  FooNet: a network for bar" in by_key.stdout
    assert "authors: Ann Z, Bob A" in by_key.stdout
    assert "  proposes:\n    FooNet" in by_key.stdout
    assert "  code at:\n    https://github.com/foo/foonet" in by_key.stdout


def test_show_unknown_name_is_one_line(store: Path) -> None:
    r = _run("show", "NoSuchThing", "--store", str(store))
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "NoSuchThing" in r.stderr and "Traceback" not in r.stderr


def test_view_writes_a_self_contained_page(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.html"
    r = _run("view", "FooNet", "-o", str(out), "--store", str(store))
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "cytoscape" in page and "http://" not in page.split("<script>")[0]
    assert not re.search(r"<script[^>]+src=", page)  # nothing loaded from elsewhere
    data = json.loads(re.search(r'<script id="kg-graph" type="application/json">(.*?)</script>', page, re.S)
                      .group(1).replace("<\\/", "</"))
    names = {n.get("name") or n.get("title") for n in data["nodes"]}
    assert {"FooNet", "ImageNet", "ResNet-50", "FooNet: a network for bar", "Studying ImageNet shortcuts"} <= names
    assert data["focus"] == "Method:foonet"


def test_view_failure_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "g.html"
    out.write_text("keep", encoding="utf-8")
    r = _run("view", "x", "-o", str(out), "--store", str(tmp_path / "nostore"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert out.read_text(encoding="utf-8") == "keep"


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser():
    found = _chromium()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Chromium, chromedriver or selenium is missing: .ci/browser.sh installs them")
        pytest.skip("needs Debian's chromium and chromium-driver and selenium (bash .ci/browser.sh)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = found[0]
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1200,800"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=found[1]), options=opts)
    try:
        yield drv
    finally:
        drv.quit()


def test_view_page_in_a_real_browser(store: Path, tmp_path: Path, browser) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By

    out = tmp_path / "top.html"
    r = _run("view", "--top", "10", "-o", str(out), "--store", str(store))
    assert r.returncode == 0, r.stderr
    browser.get(out.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#nodes li")]
    assert "ImageNet (Dataset)" in items and "ResNet-50 (Method)" in items
    assert browser.execute_script("return window.kgView.cy.nodes().length") == len(items)
    # search filters the list; clicking a node shows its provenance sentences
    browser.find_element(By.ID, "search").send_keys("resnet")
    visible = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#nodes li:not(.hidden)")]
    assert visible == ["ResNet-50 (Method)"]
    browser.find_element(By.CSS_SELECTOR, "#nodes li:not(.hidden)").click()
    details = browser.find_element(By.ID, "details").text
    assert "MENTIONS" in details and "compare it with ResNet-50" in details
    shot = tmp_path / "shot.png"
    browser.save_screenshot(str(shot))
    img = Image.open(shot).convert("RGB")
    colours = img.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # not a blank page: text, nodes, edges in several colours
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
