"""Size and opening time of the evidence report for a large batch, in headless Chromium.

    .venv/bin/python scripts/report_timing.py [--documents 2000] [--keep DIR]

Builds a batch of N papers (copies of the corpus papers under new names, so
the extract run reuses the five extractions by content hash while the report
holds N full papers), runs `extractor extract` and `extractor report`, then
opens the report three times in a fresh headless Chromium and prints when the
index was ready (milliseconds after navigation start, from the page itself).
Also imported by tests/outputs/test_report.py for the browser it launches.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_missing() -> str:
    """Why the browser cannot be driven here, or '' when it can."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} not installed (apt-get install chromium chromium-driver; .ci/run does it)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[test]')"
    return ""


def launch_chromium(user_data_dir: Path, width: int = 1280, height: int = 900):
    """Headless Debian Chromium through /usr/bin/chromedriver, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={user_data_dir}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def open_report(driver, html: Path, timeout: float = 60.0) -> float:
    """Load the report and return milliseconds from navigation start until its index was ready."""
    driver.get("about:blank")
    driver.get(html.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = driver.execute_script("return document.body && document.body.dataset.ready")
        if ready:
            return float(ready)
        time.sleep(0.02)
    raise TimeoutError(f"{html} did not become ready in {timeout} s")


def make_batch(folder: Path, documents: int) -> list[Path]:
    """``documents`` copies of the corpus papers named paper00000.txt, ..."""
    sources = sorted((ROOT / "corpus").glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for number in range(documents):
        target = folder / f"paper{number:05d}.txt"
        shutil.copyfile(sources[number % len(sources)], target)
        made.append(target)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep it (default: a temporary one).")
    args = parser.parse_args()
    missing = chromium_missing()
    if missing:
        sys.exit(f"report_timing: {missing}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="report-timing-"))
    extractor = str(Path(sys.executable).with_name("extractor"))
    make_batch(work / "papers", args.documents)
    out, html = work / "batch.csv", work / "report.html"
    started = time.monotonic()
    subprocess.run([extractor, "extract", str(work / "papers"), "--out", str(out), "--quiet"], check=True)
    extracted = time.monotonic()
    subprocess.run([extractor, "report", str(out), "--html", str(html)], check=True)
    reported = time.monotonic()
    print(
        f"extract: {extracted - started:.1f} s; report: {reported - extracted:.1f} s; "
        f"{html.stat().st_size / 1e6:.1f} MB for {args.documents} documents"
    )
    driver = launch_chromium(Path(tempfile.mkdtemp(prefix="chromium-")))
    try:
        for attempt in range(1, 4):
            print(f"open {attempt}: index ready {open_report(driver, html):.0f} ms after navigation start")
        driver.execute_script(f"location.hash = '#doc/paper{args.documents - 1:05d}'")
        start = time.monotonic()
        while not driver.execute_script("return document.querySelector('#main pre.text') !== null"):
            time.sleep(0.01)
        print(f"last paper shown {1000 * (time.monotonic() - start):.0f} ms after the click")
    finally:
        driver.quit()
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
