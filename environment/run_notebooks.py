#!/usr/bin/python3
"""Executes TuneLab's notebooks headlessly in the Java kernel and checks what a reader would see.

For each notebook: start the kernel (a start that does not answer within --startup-timeout seconds is killed and
retried, up to --tries times), run every cell (any cell error fails the notebook), require at least one image/png
output, write the executed notebook and its HTML export to --out, render the HTML in headless Chromium to a PNG
screenshot and require that screenshot to show real content. Exit status 1 when any notebook fails.

Run with Debian's /usr/bin/python3 (it has nbclient / nbconvert), normally through environment/run-notebooks.sh.
"""
import argparse
import base64
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(f"[notebooks] {msg}", flush=True)


def start_client(nb, kernel, cwd, args, kernel_log):
    """A NotebookClient whose kernel answered kernel_info; hung starts are killed and retried."""
    for attempt in range(1, args.tries + 1):
        client = NotebookClient(nb, timeout=args.cell_timeout, startup_timeout=args.startup_timeout,
                                kernel_name=kernel, resources={"metadata": {"path": cwd}}, allow_errors=False,
                                shutdown_kernel="immediate")
        client.km = client.create_kernel_manager()
        started = time.time()
        try:
            client.start_new_kernel(cwd=cwd, stdout=kernel_log, stderr=subprocess.STDOUT)
            client.start_new_kernel_client()
            log(f"  kernel ready in {time.time() - started:.1f}s (start {attempt}/{args.tries})")
            return client, attempt
        except RuntimeError as e:
            log(f"  kernel start {attempt}/{args.tries} failed after {time.time() - started:.0f}s: {e}")
            km = client.km
            if km is not None and km.has_kernel:
                km.shutdown_kernel(now=True)
    raise RuntimeError(f"kernel '{kernel}' did not start in {args.tries} tries of {args.startup_timeout}s")


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failing_cell(nb):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                detail = f"{out.get('ename')}: {out.get('evalue')}"
                if not str(out.get("evalue", "")).strip():  # compile errors: the message is in the traceback
                    lines = [ANSI.sub("", l).strip() for l in out.get("traceback", []) if ANSI.sub("", l).strip()]
                    detail += " " + " / ".join(lines[-6:])
                return i, detail
    return None, None


def png_outputs(nb):
    return sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def screenshot(html_path, png_path, chromium, timeout):
    profile = tempfile.mkdtemp(prefix="tunelab-chromium-")
    try:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-dev-shm-usage", "--disable-extensions", "--disable-sync", "--no-first-run",
               "--hide-scrollbars", "--mute-audio", f"--user-data-dir={profile}", "--window-size=1280,2400",
               f"--screenshot={png_path}", "file://" + os.path.abspath(html_path)]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not os.path.isfile(png_path):
        raise RuntimeError(f"chromium wrote no screenshot for {html_path}")
    from PIL import Image
    with Image.open(png_path) as img:
        rgb = img.convert("RGB")
        width, height = rgb.size
        small = rgb.resize((width // 4, height // 4))
        pixels = list(small.getdata())
    non_white = sum(1 for p in pixels if min(p) < 235) / len(pixels)
    colours = len(set(pixels))
    if non_white < 0.01 or colours < 64:
        raise RuntimeError(f"screenshot {png_path} looks empty: {non_white:.1%} non-white pixels, {colours} colours")
    return width, height, non_white, colours


def run_one(path, args, exporter):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    kernel = args.kernel or nb.metadata.get("kernelspec", {}).get("name")
    if not kernel:
        raise RuntimeError(f"{path}: metadata.kernelspec.name is missing")
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        raise RuntimeError(f"{path}: kernel '{kernel}' is not installed (run: bash environment/install.sh)")
    cwd = os.path.dirname(os.path.abspath(path))
    executed = os.path.join(args.out, name + ".ipynb")
    started = time.time()
    with tempfile.TemporaryFile(mode="w+") as kernel_log:
        client, tries = start_client(nb, kernel, cwd, args, kernel_log)
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            write_atomic(executed, nbformat.writes(nb))
            index, error = failing_cell(nb)
            where = f"cell {index}" if index is not None else f"after {client.code_cells_executed} code cells"
            detail = error or str(e).strip().splitlines()[-1]
            kernel_log.seek(0)
            tail = redact(kernel_log.read())[-1500:]
            raise RuntimeError(f"{path}: {where} failed: {detail}"
                               + (f"\n--- kernel log (tail) ---\n{tail}" if tail.strip() else ""))
    seconds = time.time() - started
    write_atomic(executed, nbformat.writes(nb))
    pngs = png_outputs(nb)
    if pngs == 0:
        raise RuntimeError(f"{path}: no image/png output (every notebook must show at least one chart)")
    body, _ = exporter.from_notebook_node(nb)
    embedded = body.count("data:image/png;base64,")
    if embedded < pngs:
        raise RuntimeError(f"{path}: HTML export embeds {embedded} PNGs, the notebook has {pngs}")
    html = os.path.join(args.out, name + ".html")
    write_atomic(html, body)
    shot = os.path.join(args.out, name + ".png")
    w, h, ink, colours = screenshot(html, shot, args.chromium, args.chromium_timeout)
    log(f"  ok: {seconds:.1f}s, {pngs} image/png outputs, HTML {len(body) // 1024} KiB, screenshot {w}x{h} "
        f"({ink:.0%} ink, {colours} colours)")
    return seconds, pngs, tries


def redact(text):
    return re.sub(r'"key"\s*:\s*"[^"]*"', '"key": "<redacted>"', text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    p.add_argument("--out", default=os.path.join(ROOT, "notebooks", "executed"))
    p.add_argument("--kernel", help="kernel name to use instead of each notebook's kernelspec")
    p.add_argument("--startup-timeout", type=int, default=30)
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--cell-timeout", type=int, default=900)
    p.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    p.add_argument("--chromium-timeout", type=int, default=120)
    args = p.parse_args()
    paths = args.notebooks or sorted(
        os.path.join(ROOT, "notebooks", f) for f in os.listdir(os.path.join(ROOT, "notebooks"))
        if f.endswith(".ipynb"))
    if not paths:
        log("no notebooks found")
        return 1
    os.makedirs(args.out, exist_ok=True)
    from nbconvert import HTMLExporter
    exporter = HTMLExporter()
    failures, summary = [], []
    for path in paths:
        log(f"{os.path.relpath(path, ROOT)}")
        try:
            seconds, pngs, tries = run_one(path, args, exporter)
            summary.append(f"  PASS {os.path.basename(path)}: {seconds:.1f}s, {pngs} charts, kernel start tries {tries}")
        except Exception as e:  # one failing notebook must not hide the others
            failures.append(str(e))
            summary.append(f"  FAIL {os.path.basename(path)}")
            log(f"  FAILED: {e}")
    log("summary:")
    for line in summary:
        print(line, flush=True)
    if failures:
        log(f"{len(failures)} of {len(paths)} notebooks failed:")
        for f in failures:
            print("  - " + f.splitlines()[0], flush=True)
        return 1
    log(f"all {len(paths)} notebooks passed; executed copies and HTML in {os.path.relpath(args.out, ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
