"""Accessibility check of HTML pages: axe-core's WCAG 2.2 AA rules in headless Chromium.

Each page is copied into a temporary folder with two scripts added at its end: axe-core
(``axe.min.js``, loaded from where it is installed) and one that, once the page has loaded, runs
``axe.run`` with the WCAG 2.2 AA rule tags and writes the violations, as JSON, into a hidden
``<pre>`` it appends to the page. Chromium opens the copy headless with ``--dump-dom`` and a
virtual-time budget (so the page's timers and axe's asynchronous steps run without waiting in
real time), prints the DOM after the scripts have run, and the JSON is read back from it. The copy
gets a ``<base>`` pointing at the original page, so its relative images and style sheets still
load, and loses any Content-Security-Policy ``<meta>``, which would stop the added scripts; the
added elements are excluded from the check. Only Chromium and axe-core are needed: no node
packages besides axe-core, no Python packages besides the standard library.

Where the tools come from:

- Chromium: ``SCRUTINY_CHROMIUM`` (a path or a command), else ``chromium``, ``chromium-browser``
  or ``google-chrome`` on PATH (Debian/Ubuntu: ``sudo apt install chromium``).
- axe-core: ``SCRUTINY_AXE_JS`` (the path of ``axe.min.js``), else
  ``node_modules/axe-core/axe.min.js`` in the repository (``npm install axe-core`` there; adding
  ``--no-save --no-package-lock`` leaves no package files behind), else the global npm root's.

As a script, ``python tests/accessibility.py DIR_OR_PAGE...`` checks every ``*.html`` in each
folder (and each page named), prints what it found and exits 1 on any violation, 2 if it could not
check (tools missing, a page that did not finish).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: axe-core's tags for the WCAG 2.2 level A and AA success criteria (2.0, 2.1 and 2.2 additions)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: real seconds one page may take in Chromium before it is stopped and reported as not finished
PAGE_TIMEOUT = 120.0
#: virtual milliseconds Chromium lets the page (and axe) run before it prints the DOM
VIRTUAL_TIME_BUDGET_MS = 30_000

_PREFIX = "scrutiny-axe"
_AXE_ID, _RUN_ID = f"{_PREFIX}-core", f"{_PREFIX}-run"
_RESULTS_ID, _ERROR_ID = f"{_PREFIX}-results", f"{_PREFIX}-error"

_IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}

_RUN_SCRIPT = """
(function () {
  function report(id, text) {
    var pre = document.createElement("pre");
    pre.id = id;
    pre.hidden = true;
    pre.textContent = text;
    (document.body || document.documentElement).appendChild(pre);
  }
  function run() {
    if (!window.axe) { report(%(error)s, "axe-core did not load"); return; }
    window.axe.run(
      {exclude: %(exclude)s},
      {runOnly: {type: "tag", values: %(tags)s}, resultTypes: ["violations"]}
    ).then(
      function (results) { report(%(results)s, JSON.stringify(results.violations)); },
      function (error) { report(%(error)s, "axe.run failed: " + (error && error.stack || error)); }
    );
  }
  if (document.readyState === "complete") { run(); } else { window.addEventListener("load", run); }
})();
"""

_CSP_META = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-security-policy[^>]*>", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_BASE = re.compile(r"<base\b", re.I)


class AccessibilityCheckError(RuntimeError):
    """Some pages could not be checked (the message says which and why)."""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable to use, or None."""
    configured = os.environ.get("SCRUTINY_CHROMIUM")
    if configured:
        return shutil.which(configured)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def find_axe() -> Path | None:
    """axe-core's ``axe.min.js``: SCRUTINY_AXE_JS, the repository's node_modules, npm's global."""
    configured = os.environ.get("SCRUTINY_AXE_JS")
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_file() else None
    local = REPO / "node_modules" / "axe-core" / "axe.min.js"
    if local.is_file():
        return local
    npm = shutil.which("npm")
    if npm:
        try:
            root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True,
                                  timeout=30, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = ""
        if root and (Path(root) / "axe-core" / "axe.min.js").is_file():
            return Path(root) / "axe-core" / "axe.min.js"
    return None


def missing_dependencies() -> str | None:
    """Why the check cannot run here (what is missing and how to install it), or None."""
    missing = []
    if find_chromium() is None:
        where = os.environ.get("SCRUTINY_CHROMIUM")
        missing.append(
            (f"SCRUTINY_CHROMIUM={where!r} is not an executable" if where
             else "Chromium is not installed (none of chromium, chromium-browser, google-chrome "
                  "on PATH)")
            + ": install it (Debian/Ubuntu: `sudo apt install chromium`) or set "
              "SCRUTINY_CHROMIUM to its executable")
    if find_axe() is None:
        where = os.environ.get("SCRUTINY_AXE_JS")
        missing.append(
            (f"SCRUTINY_AXE_JS={where!r} is not a file" if where
             else "axe-core is not installed (no node_modules/axe-core/axe.min.js in the "
                  "repository or npm's global root)")
            + f": run `npm install --no-save --no-package-lock axe-core` in {REPO} or set "
              "SCRUTINY_AXE_JS to axe.min.js")
    if not missing:
        return None
    return "accessibility check cannot run: " + "; ".join(missing)


def instrumented(page: Path, axe_js: Path) -> str:
    """The page's HTML with axe-core and the script that runs it and records its findings."""
    text = _CSP_META.sub("", page.read_text(encoding="utf-8", errors="replace"))
    head = _HEAD.search(text)
    if head and not _BASE.search(text):
        base = f'<base href="{html.escape(page.resolve().as_uri())}">'
        text = text[:head.end()] + base + text[head.end():]
    script = _RUN_SCRIPT % {
        "exclude": json.dumps([[f"#{_AXE_ID}"], [f"#{_RUN_ID}"], [f"#{_RESULTS_ID}"],
                               [f"#{_ERROR_ID}"]]),
        "tags": json.dumps(WCAG_TAGS),
        "results": json.dumps(_RESULTS_ID),
        "error": json.dumps(_ERROR_ID),
    }
    # after </html> the parser puts them at the end of <body>; being last, they run last
    return (text + f'\n<script id="{_AXE_ID}" src="{html.escape(axe_js.resolve().as_uri())}">'
            f'</script>\n<script id="{_RUN_ID}">{script}</script>\n')


def _pre_text(dom: str, element_id: str) -> str | None:
    found = re.search(rf'<pre\b[^>]*\bid="{element_id}"[^>]*>(.*?)</pre>', dom, re.S)
    return html.unescape(found.group(1)) if found else None


def _stop(process: subprocess.Popen) -> None:
    """Kill Chromium and every process it started (it runs in a session of its own)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - not POSIX
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _check_page(page: Path, chromium: str, axe_js: Path, work: Path,
                timeout: float) -> list[dict]:
    """Run axe on one page in its own headless Chromium; raise AccessibilityCheckError if not."""
    copy = work / "page.html"
    copy.write_text(instrumented(page, axe_js), encoding="utf-8")
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
        "--window-size=1280,1024", f"--user-data-dir={work / 'profile'}",
        f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", "--dump-dom", copy.as_uri(),
    ]
    out_path, err_path = work / "dom.html", work / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   start_new_session=True)
        try:
            process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _stop(process)  # also any helper process left behind
    dom = out_path.read_text(encoding="utf-8", errors="replace")
    results = _pre_text(dom, _RESULTS_ID)
    if results is not None:
        return json.loads(results)
    error = _pre_text(dom, _ERROR_ID)
    if error is None:
        stderr = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        tail = "\n    ".join(line for line in stderr[-8:] if "dbus" not in line.lower())
        if timed_out:
            error = f"Chromium did not finish the page within {timeout:g} s (stopped)"
        elif process.returncode:
            error = f"Chromium exited with status {process.returncode}"
        else:
            error = ("axe did not report before the page was printed (the page did not finish "
                     "loading, or its scripts stopped axe from running)")
        if tail:
            error += f"\n    Chromium said:\n    {tail}"
    raise AccessibilityCheckError(f"{page}: {error}")


def violations(page_paths: list[Path], *, timeout: float = PAGE_TIMEOUT,
               workers: int | None = None) -> dict[Path, list[dict]]:
    """axe-core's WCAG 2.2 AA violations of each page (axe's own result objects, by page).

    Pages run in separate headless Chromium processes, a few at a time. Raises
    AccessibilityCheckError if Chromium or axe-core is missing, or naming every page that could not
    be checked (did not finish within ``timeout`` seconds, or axe failed on it).
    """
    missing = missing_dependencies()
    if missing:
        raise AccessibilityCheckError(missing)
    chromium, axe_js = find_chromium(), find_axe()
    assert chromium is not None and axe_js is not None
    pages = [Path(p) for p in page_paths]
    if workers is None:
        workers = max(1, min(4, os.cpu_count() or 1))
    found: dict[Path, list[dict]] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="scrutiny-axe-") as tmp:

        def check(numbered: tuple[int, Path]) -> list[dict]:
            number, page = numbered
            work = Path(tmp) / str(number)
            work.mkdir()
            return _check_page(page, chromium, axe_js, work, timeout)

        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(pages) or 1))) as pool:
            futures = [(page, pool.submit(check, (n, page))) for n, page in enumerate(pages)]
            for page, future in futures:
                try:
                    found[page] = future.result()
                except AccessibilityCheckError as error:
                    problems.append(str(error))
                except (OSError, ValueError) as error:  # unreadable page, malformed JSON
                    problems.append(f"{page}: {type(error).__name__}: {error}")
    if problems:
        raise AccessibilityCheckError(
            f"{len(problems)} of {len(pages)} page(s) could not be checked:\n"
            + "\n".join(problems))
    return found


def _shorten(text: str, limit: int = 200, *, keep_end: bool = False) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return "…" + text[1 - limit:] if keep_end else text[:limit - 1] + "…"


def _selector(target) -> str:
    """axe's target: a list of selectors, nested when inside shadow DOM or frames."""
    if isinstance(target, list):
        return " >> ".join(_selector(part) for part in target)
    return str(target)


def format_report(results: dict[Path, list[dict]], max_nodes: int = 3) -> str:
    """A readable account of the violations: page, rule, impact, help, where and what to fix."""
    lines: list[str] = []
    for page, found in results.items():
        if not found:
            continue
        count = sum(len(v.get("nodes", [])) for v in found)
        lines.append(f"{page}: {len(found)} rule(s) violated, {count} element(s)")
        for violation in sorted(found, key=lambda v: (_IMPACT_ORDER.get(v.get("impact"), 9),
                                                      v.get("id", ""))):
            nodes = violation.get("nodes", [])
            lines.append(f"  [{violation.get('impact') or 'unknown'}] {violation.get('id')}: "
                         f"{violation.get('help')} ({len(nodes)} element(s))")
            if violation.get("helpUrl"):
                lines.append(f"      {violation['helpUrl']}")
            for node in nodes[:max_nodes]:
                where = _shorten(_selector(node.get("target", [])), 160, keep_end=True)
                lines.append(f"    - {where}")
                lines.append(f"        {_shorten(node.get('html', ''))}")
                summary = [line.strip() for line in (node.get("failureSummary") or "")
                           .splitlines()[1:] if line.strip()]
                if summary:
                    lines.append(f"        {_shorten('; '.join(summary), 300)}")
            if len(nodes) > max_nodes:
                lines.append(f"    ... and {len(nodes) - max_nodes} more")
        lines.append("")
    return "\n".join(lines).rstrip()


def html_pages(paths: list[Path]) -> list[Path]:
    """The pages to check: each file named, and every ``*.html`` in each folder named."""
    pages: list[Path] = []
    for path in paths:
        pages.extend(sorted(path.glob("*.html")) if path.is_dir() else [path])
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check HTML pages against axe-core's WCAG 2.2 AA rules in headless Chromium.")
    parser.add_argument("paths", nargs="+", type=Path,
                        help="folders (every *.html in them is checked) or pages")
    parser.add_argument("--timeout", type=float, default=PAGE_TIMEOUT,
                        help=f"seconds one page may take (default {PAGE_TIMEOUT:g})")
    parser.add_argument("--workers", type=int, default=None,
                        help="Chromium processes at a time (default: CPUs, at most 4)")
    args = parser.parse_args(argv)
    missing = missing_dependencies()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    absent = [p for p in args.paths if not p.exists()]
    if absent:
        print("not found: " + ", ".join(map(str, absent)), file=sys.stderr)
        return 2
    pages = html_pages(args.paths)
    if not pages:
        print("no *.html pages found in " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        results = violations(pages, timeout=args.timeout, workers=args.workers)
    except AccessibilityCheckError as error:
        print(error, file=sys.stderr)
        return 2
    took = time.monotonic() - started
    failing = {page: found for page, found in results.items() if found}
    print(f"axe-core {_axe_version(find_axe())}, WCAG tags {', '.join(WCAG_TAGS)}: "
          f"{len(pages)} page(s) checked in {took:.1f} s")
    for page in pages:
        found = results[page]
        print(f"  {'FAIL' if found else 'ok  '} {page}"
              + (f" ({len(found)} rule(s) violated)" if found else ""))
    if failing:
        print()
        print(format_report(failing))
        return 1
    print("no violations")
    return 0


def _axe_version(axe_js: Path | None) -> str:
    package = axe_js.parent / "package.json" if axe_js else None
    try:
        return json.loads(package.read_text())["version"] if package else "?"
    except (OSError, ValueError, KeyError):
        return f"({axe_js})"


if __name__ == "__main__":
    sys.exit(main())
