"""sg.animate: the page is self-contained and safe, and in a real headless Chromium it steps
through backprop showing the right node, line and gradient at every step.

The browser is Debian's ``chromium``, driven over the DevTools protocol on a pipe (the
small client below; no extra Python package). Without Chromium the browser tests are
skipped with a reason, except when ``CI`` is set: there they fail (the ``needs`` fixture).
Set ``SCALARGRAD_SCREENSHOTS=DIR`` to keep the screenshots (start, middle, end) in DIR.

Gradients shown on the page are compared with central finite differences of the graph
re-evaluated in plain floats (`_perturbed_root`), not with the engine's backprop.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import html as html_lib
import json
import math
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad import Value, nn
from scalargrad.chart.drawing import ChartTooBig
from scalargrad.chart.style import LOOKS, format_number
from scalargrad.engine import topological_order
from scalargrad.examples import seed001
from scalargrad.graph import pretty_label

# ---------------------------------------------------------------------------------------
# Graphs and the independent reference
# ---------------------------------------------------------------------------------------


def tanh_neuron() -> Value:
    """One tanh neuron, as in micrograd's lecture: o = tanh(x1·w1 + x2·w2 + b)."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    sg.name(locals())
    o = n.tanh()
    o.label = "o"
    return o


def mlp_loss() -> Value:
    """A 2-3-1 tanh MLP on one example (inputs as Values), squared error."""
    model = nn.MLP(2, [3, 1], act="tanh", seed=4)
    x = [Value(0.5, "x1"), Value(-1.5, "x2")]
    loss = (model(x) - 1.0) ** 2
    loss.label = "L"
    return loss


def big_mlp_loss() -> Value:
    """A 4-6-6-1 tanh MLP and its squared error: 111 nodes, too many to read at once."""
    model = nn.MLP(4, [6, 6, 1], act="tanh", seed=1)
    loss = (model([Value(v, f"x{i}") for i, v in enumerate([0.5, -1, 2, 0.1], 1)]) - 1.0) ** 2
    loss.label = "L"
    return loss


def square_plus_constant() -> Value:
    """x·x uses x twice (two edges into one op) and 3 is an unlabelled constant."""
    x = Value(-1.5, "x")
    y = x * x + 3
    y.label = "y"
    return y


def seed001_loss() -> Value:
    return seed001()["L"]


GRAPHS = {"seed001": seed001_loss, "tanh neuron": tanh_neuron, "mlp": mlp_loss,
          "x*x + 3": square_plus_constant}

_FLOAT_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "tanh": math.tanh, "sigmoid": lambda a: 1 / (1 + math.exp(-a)),
    "sum": lambda *xs: math.fsum(xs),
    "dot": lambda *c: sum(w * x for w, x in zip(c[:-1:2], c[1:-1:2])) + c[-1],  # w,x,…,b
}


def _perturbed_root(order: list[Value], node: Value, offset: float) -> float:
    """The root recomputed in plain floats, with ``offset`` added to ``node``'s value."""
    value: dict[Value, float] = {}
    for n in order:
        if not n.op:
            v = n.data
        elif n.op.startswith("**"):
            v = value[n.children[0]] ** float(n.op[2:])
        else:
            v = _FLOAT_OPS[n.op](*(value[c] for c in n.children))
        value[n] = v + offset if n is node else v
    return value[order[-1]]


def reference_grads(root: Value, fd) -> dict[str, float]:
    """∂root/∂node by central differences, by the node's chart id ``v{i}``."""
    order = topological_order(root)
    return {f"v{i}": fd(lambda t, n=n: _perturbed_root(order, n, t), [0.0])[0]
            for i, n in enumerate(order)}


def shown_number(text: str) -> float:
    return float(text.replace("−", "-"))


def assert_close_to_display_precision(text: str, exact: float, digits: int = 4) -> None:
    """``text`` is ``exact`` to ``digits`` significant digits (half a unit in the last)."""
    assert abs(shown_number(text) - exact) <= 0.51 * 10 ** (1 - digits) * abs(exact) + 1e-7, (
        f"page shows {text}, finite differences give {exact!r}")


# ---------------------------------------------------------------------------------------
# The page as a file
# ---------------------------------------------------------------------------------------

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.mark.parametrize("graph", GRAPHS)
def test_page_is_one_self_contained_file(graph, tmp_path):
    page = sg.animate(GRAPHS[graph](), tmp_path / "backprop.html")
    html = page.read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"'<>)]*", html))
    assert urls <= NAMESPACES, f"the page names URLs: {sorted(urls - NAMESPACES)}"
    for loader in ("<link", " src=", "@import", "url(", "<iframe", "<img"):
        assert loader not in html, f"the page loads something with {loader!r}"
    assert "default-src 'none'" in html  # and the browser is told to load nothing
    assert html.count("<svg") >= 1 and html.count("<script") == 2


def test_labels_cannot_break_the_page(tmp_path):
    x = Value(1.0, label='</script><script>window.pwned=1</script>')
    q = Value(2.0, label='"&<b>{x}|')
    y = x * q
    y.label = "</title><!--"
    html = sg.animate(y, tmp_path / "p.html", title="<i>T</i> & </script>").read_text("utf-8")
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert "<i>T</i>" not in html and "&lt;i&gt;T&lt;/i&gt; &amp; &lt;/script&gt;" in html
    for raw in (x.label, q.label, y.label):
        assert raw not in html, f"the label {raw!r} is in the page unescaped"


def page_steps(html: str) -> list[dict]:
    """The steps as the page's script reads them (the JSON in the page)."""
    data = re.search(r'<script type="application/json" id="steps">(.*?)</script>', html, re.S)
    return json.loads(data[1])["steps"]


def test_lines_get_true_minus_signs_but_labels_keep_their_hyphens(tmp_path):
    x = Value(-2.0, label="x-1")
    y = x * -3
    y.label = "y"
    lines = [s["text"] for s in page_steps(sg.animate(y, tmp_path / "p.html").read_text("utf-8"))]
    assert lines == ["∂y/∂y = 1", "∂y/∂x-1 = ∂y/∂y · ∂y/∂x-1 = 1 · (−3) = −3"]


def test_leaves_the_graphs_grads_and_labels_alone(tmp_path):
    root = (tanh_neuron() * 2).exp()  # two unlabelled nodes: the chart calls them t1, t2
    order = topological_order(root)
    for i, node in enumerate(order):
        node.grad = 100.0 + i
    labels = [node.label for node in order]
    html = sg.animate(root, tmp_path / "p.html").read_text("utf-8")
    assert [node.grad for node in order] == [100.0 + i for i in range(len(order))]
    assert [node.label for node in order] == labels
    assert "t₁" in html and "t₂" in html


def test_bad_arguments_get_clear_errors(tmp_path):
    with pytest.raises(TypeError, match="animate: root must be a Value"):
        sg.animate(3.0, tmp_path / "p.html")
    with pytest.raises(ValueError, match="seconds_per_step"):
        sg.animate(tanh_neuron(), tmp_path / "p.html", seconds_per_step=0)
    with pytest.raises(ValueError, match="digits"):
        sg.animate(tanh_neuron(), tmp_path / "p.html", digits=0)
    assert not (tmp_path / "p.html").exists()


# ---------------------------------------------------------------------------------------
# A small DevTools-protocol client: Chromium on a pipe (fd 3 in, fd 4 out, JSON + NUL)
# ---------------------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--remote-debugging-pipe"]
KEYS = {"ArrowRight": ("ArrowRight", 39), "ArrowLeft": ("ArrowLeft", 37), " ": ("Space", 32),
        "Home": ("Home", 36), "End": ("End", 35), "z": ("KeyZ", 90)}


class Chromium:
    """Headless Chromium with one page, driven by DevTools commands; every wait times out."""

    def __init__(self, executable: str, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="scalargrad-chromium-")
        to_browser, from_browser = os.pipe(), os.pipe()
        # Copies above fd 10, so that moving them to 3 and 4 in the child cannot collide.
        read_end = fcntl.fcntl(to_browser[0], fcntl.F_DUPFD_CLOEXEC, 10)
        write_end = fcntl.fcntl(from_browser[1], fcntl.F_DUPFD_CLOEXEC, 10)

        def pipes_to_3_and_4() -> None:
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile.name}",
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=pipes_to_3_and_4,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (*to_browser, *from_browser, read_end, write_end):
            if fd not in (to_browser[1], from_browser[0]):
                os.close(fd)
        self.out, self.inp = to_browser[1], from_browser[0]
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=True)

    # -- protocol -----------------------------------------------------------------------
    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if "method" in reply:
                self.events.append(reply)

    def wait_for_event(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            event = self._receive(deadline)
            if "method" in event:
                self.events.append(event)
            if event.get("method") == method:
                return event

    # -- what a test needs --------------------------------------------------------------
    def open(self, path: Path, width: int = 1400, height: int = 900) -> None:
        self.events.clear()
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=False)
        self.call("Emulation.setFocusEmulationEnabled", session=True, enabled=True)
        self.call("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait_for_event("Page.loadEventFired")

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, key: str) -> None:
        code, keycode = KEYS[key]
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", session=True, type=kind, key=key, code=code,
                      windowsVirtualKeyCode=keycode)

    def click(self, selector: str) -> None:
        x, y = self.js(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                       ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"
                       " })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y,
                      button="left", clickCount=1)

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def problems(self) -> list[str]:
        """Script errors, console errors (CSP violations among them), requests for anything
        but the page itself, and dialogs since the page was opened."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"script error: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"console: {params['entry']['text']}")
            elif method == "Network.requestWillBeSent" and not \
                    params["request"]["url"].startswith("file://"):
                found.append(f"network request: {params['request']['url']}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params['message']}")
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):  # it may be gone already
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.out)
        os.close(self.inp)
        self.profile.cleanup()


@pytest.fixture(scope="module")
def browser(needs):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    needs(executable is not None, "Chromium, for the browser tests of sg.animate,",
          "apt-get install chromium")
    chromium = Chromium(executable)
    yield chromium
    chromium.close()


STATE = """(() => {
  const ids = (cls) => Array.from(document.querySelectorAll("#chart ." + cls), (e) => e.id);
  const grads = {};
  document.querySelectorAll("#chart text.grad-value").forEach((t) => {
    grads[t.closest("g.node").id] = t.textContent;
  });
  return {counter: document.getElementById("counter").textContent,
          slider: document.getElementById("slider").value,
          current: ids("node.current"), sources: ids("node.source"), flow: ids("edge.flow"),
          line: document.getElementById("line").textContent, grads: grads,
          playing: document.body.classList.contains("playing"),
          play: document.getElementById("play").innerText.trim()};
})()"""


def state(browser: Chromium) -> dict:
    return browser.js(STATE)


def keep_screenshot(browser: Chromium, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCALARGRAD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    browser.screenshot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


# ---------------------------------------------------------------------------------------
# The page in the browser
# ---------------------------------------------------------------------------------------


def test_steps_through_seed001_forward_and_back(browser, tmp_path, fd):
    root = seed001_loss()  # not backpropagated: the page computes its own gradients
    order = topological_order(root)
    twin = seed001_loss()
    twin.backward()
    engine_text = {f"v{i}": format_number(n.grad, 4) for i, n in enumerate(topological_order(twin))}
    label = {f"v{i}": n.label for i, n in enumerate(order)}
    parents = {f"v{i}": {f"v{order.index(p)}" for p in order if n in p.children}
               for i, n in enumerate(order)}
    exact = reference_grads(root, fd)
    browser.open(sg.animate(root, tmp_path / "seed001.html"))

    start = state(browser)
    assert start["counter"] == f"step 0 / {len(order)}"
    assert start["current"] == [] and start["flow"] == []
    assert set(start["grads"]) == set(label) - {"v" + str(i) for i, n in enumerate(order)
                                                if n.constant}
    assert all(text == "" for text in start["grads"].values()), "grads must start blank"
    assert "L" in start["line"]
    keep_screenshot(browser, "animation-start.png", tmp_path)

    done: list[str] = []
    for k in range(1, len(order) + 1):
        browser.press("ArrowRight")
        now = state(browser)
        assert now["counter"] == f"step {k} / {len(order)}" and now["slider"] == str(k)
        (node,) = now["current"]
        assert parents[node] <= set(done), f"{label[node]} came before a node that uses it"
        # named as on the chart: w₁₂ for w12; unlabelled: t₁, t₂, …
        name = re.escape(pretty_label(label[node])) if label[node] else "t[₀-₉]+"
        assert re.match(f"∂L/∂{name} = ", now["line"]), now["line"]
        assert {s for s in now["sources"] if not s.endswith("op")} == parents[node]
        assert set(now["flow"]) == ({f"e_{node}_{p}op" for p in parents[node]}
                                    | {f"e_{p}op_{p}" for p in parents[node]})
        done.append(node)
        shown = {n: t for n, t in now["grads"].items() if t}
        assert set(shown) == set(done)
        assert_close_to_display_precision(shown[node], exact[node])
        assert shown[node] == engine_text[node]
        assert shown_number(now["line"].rsplit(" = ", 1)[1]) == pytest.approx(
            shown_number(shown[node]), rel=1e-3)
        if k == 1:
            assert shown[node] == "1" and now["line"] == "∂L/∂L = 1"
        if k == 12:
            keep_screenshot(browser, "animation-middle.png", tmp_path)
    keep_screenshot(browser, "animation-end.png", tmp_path)
    for node, text in state(browser)["grads"].items():
        assert_close_to_display_precision(text, exact[node])

    browser.press("ArrowLeft")
    back = state(browser)
    assert back["counter"] == f"step {len(order) - 1} / {len(order)}"
    assert back["current"] == [done[-2]] and back["grads"][done[-1]] == ""
    browser.press("ArrowLeft")
    assert state(browser)["current"] == [done[-3]]
    assert browser.problems() == []


def test_buttons_slider_and_keys(browser, tmp_path):
    root = seed001_loss()
    n = len(topological_order(root))
    browser.open(sg.animate(root, tmp_path / "p.html"))
    browser.click("#next")
    browser.click("#next")
    assert state(browser)["counter"] == f"step 2 / {n}"
    browser.click("#prev")
    assert state(browser)["counter"] == f"step 1 / {n}"
    browser.js('{ const s = document.getElementById("slider"); s.value = 20;'
               ' s.dispatchEvent(new Event("input")); }')
    middle = state(browser)
    assert middle["counter"] == f"step 20 / {n}" and sum(map(bool, middle["grads"].values())) == 20
    browser.click("#last")
    assert state(browser)["counter"] == f"step {n} / {n}"
    browser.press("ArrowRight")  # nothing past the end
    assert state(browser)["counter"] == f"step {n} / {n}"
    browser.press("Home")
    assert state(browser)["counter"] == f"step 0 / {n}"
    browser.press("End")
    assert all(state(browser)["grads"].values())
    browser.click("#first")
    browser.press("ArrowLeft")  # nothing before the start
    assert state(browser)["counter"] == f"step 0 / {n}"
    assert browser.problems() == []


def test_play_and_pause(browser, tmp_path):
    root = tanh_neuron()
    n = len(topological_order(root))
    browser.open(sg.animate(root, tmp_path / "p.html", seconds_per_step=0.1))
    assert state(browser)["play"] == "play"
    browser.press(" ")
    assert state(browser)["playing"] and state(browser)["play"] == "pause"
    deadline = time.monotonic() + 10
    while state(browser)["counter"] != f"step {n} / {n}":
        assert time.monotonic() < deadline, "play did not reach the last step"
        time.sleep(0.05)
    time.sleep(0.3)
    assert not state(browser)["playing"], "play must stop at the last step"
    browser.click("#play")  # from the end, play starts again at the beginning
    time.sleep(0.25)
    browser.press(" ")
    paused = state(browser)["counter"]
    assert not state(browser)["playing"] and paused != f"step {n} / {n}"
    time.sleep(0.35)
    assert state(browser)["counter"] == paused
    assert browser.problems() == []


@pytest.mark.parametrize("graph", ["tanh neuron", "mlp", "x*x + 3"])
def test_any_graph_ends_with_every_gradient_right(graph, browser, tmp_path, fd):
    root = GRAPHS[graph]()
    exact = reference_grads(root, fd)
    browser.open(sg.animate(root, tmp_path / "p.html"))
    steps = browser.js('JSON.parse(document.getElementById("steps").textContent).steps')
    missing = [i for s in steps for i in (s["node"], *s["from"], *s["edges"])
               if not browser.js(f"document.getElementById({json.dumps(i)}) !== null")]
    assert missing == [], f"the chart has no element with these ids: {missing}"
    browser.press("End")
    grads = state(browser)["grads"]
    assert len(grads) == sum(not n.constant for n in topological_order(root))
    for node, text in grads.items():
        assert_close_to_display_precision(text, exact[node])
    assert browser.problems() == []


def test_x_times_x_marks_both_edges(browser, tmp_path):
    root = square_plus_constant()
    order = topological_order(root)
    square = root.children[0]
    x, sq = f"v{order.index(square.children[0])}", f"v{order.index(square)}"
    browser.open(sg.animate(root, tmp_path / "p.html"))
    browser.press("End")  # the last step is x's: ∂y/∂x = ∂y/∂t1 · ∂t1/∂x, over both edges
    assert state(browser)["current"] == [x]
    assert set(state(browser)["flow"]) == {f"e_{x}_{sq}op", f"e_{x}_{sq}op_2", f"e_{sq}op_{sq}"}


def test_hostile_labels_are_shown_as_text(browser, tmp_path):
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = x * 2
    y.label = "<b>y</b>"
    browser.open(sg.animate(y, tmp_path / "p.html"))
    browser.press("End")
    assert state(browser)["line"].startswith("∂<b>y</b>/∂</script><script>alert(1)</script> =")
    assert browser.problems() == []


GEOMETRY = """(() => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; };
  const node = document.querySelector("#chart .node.current");
  return {zoom: document.getElementById("zoom").getAttribute("aria-pressed"),
          chart: box(document.getElementById("chart")), node: box(node),
          text: node.querySelector("text.grad-value").getBoundingClientRect().height};
})()"""


def test_zoom_follows_each_step_of_a_big_graph(browser, tmp_path):
    page = sg.animate(big_mlp_loss(), tmp_path / "p.html")
    browser.open(page, 1280, 720)
    for _ in range(30):
        browser.press("ArrowRight")
    time.sleep(0.6)  # the view glides for 0.35 s
    near = browser.js(GEOMETRY)
    assert near["zoom"] == "true", "a 111-node chart must start zoomed in"
    cl, ct, cr, cb = near["chart"]
    nl, nt, nr, nb = near["node"]
    assert cl <= nl < nr <= cr and ct <= nt < nb <= cb, "the current node must be in view"
    assert near["text"] >= 12, "zoomed in, the numbers must be readable"
    browser.press("z")
    time.sleep(0.6)
    whole = browser.js(GEOMETRY)
    assert whole["zoom"] == "false" and whole["text"] < near["text"] / 2
    shown = browser.js('document.querySelector("#chart svg").getAttribute("viewBox")')
    drawn = re.search(r'viewBox="([^"]+)"', page.read_text("utf-8"))[1]
    assert [float(v) for v in shown.split()] == pytest.approx([float(v) for v in drawn.split()])
    assert browser.problems() == []


@pytest.mark.parametrize("zoom", [True, False])
def test_zoom_can_be_chosen(zoom, browser, tmp_path):
    browser.open(sg.animate(tanh_neuron(), tmp_path / "p.html", zoom=zoom))
    pressed = browser.js('document.getElementById("zoom").getAttribute("aria-pressed")')
    assert pressed == str(zoom).lower()


# ---------------------------------------------------------------------------------------
# Networks, notebooks, colours, long lines, the end
# ---------------------------------------------------------------------------------------


def test_networks_can_be_animated_by_neuron():
    loss = big_mlp_loss()
    html = sg.animate(loss, view="neuron").html
    assert html.count('class="cluster"') == 3  # a box per layer, holding its neurons
    boxes = re.findall(r'<g id="(v\d+)" class="node">', html)
    assert len(boxes) < len(topological_order(loss)) / 4


def test_plays_inline_in_a_notebook(tmp_path):
    made = sg.animate(tanh_neuron())
    frame = made._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert html_lib.unescape(re.search(r'srcdoc="([^"]*)"', frame)[1]) == made.html
    saved = made.save(tmp_path / "p.html")
    assert saved.read_text("utf-8") == made.html == sg.animate(tanh_neuron(), saved) \
        .read_text("utf-8")


def test_the_title_drops_control_characters(tmp_path):
    html = sg.animate(tanh_neuron(), title="a\x00b\x1bc\u2028d").html
    assert "<title>a b c d</title>" in html


def test_too_big_a_graph_is_refused_at_once():
    y = Value(1.0, "x")
    for _ in range(1200):
        y = y * 1.0001
    with pytest.raises(ChartTooBig, match="the graph of a smaller part") as refused:
        sg.animate(y)
    assert "view=" not in str(refused.value)  # a chain is no network: collapsing cannot help


def _css_colour(html: str, name: str) -> tuple[int, int, int]:
    value = re.search(rf"--{name}: (#[0-9a-f]{{6}})", html)[1]
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


_CVD = {  # Machado et al. (2009), severity 1.0, on linear RGB
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
}


def _seen(rgb: tuple[int, ...], matrix) -> tuple[float, ...]:
    linear = [(c / 255) ** 2.2 for c in rgb]
    return tuple(255 * max(0.0, min(1.0, sum(m * c for m, c in zip(row, linear)))) ** (1 / 2.2)
                 for row in matrix)


def test_highlight_colours_are_apart_from_every_kind_in_the_key():
    """The current node's and its sources' fills differ from every node kind's fill, for
    normal vision and the two common colour-blindnesses (RGB distance after simulation)."""
    html = sg.animate(tanh_neuron()).html
    marks = {name: _css_colour(html, name) for name in ("hot-soft", "flow-soft")}
    kinds = {k: tuple(int(look.fill[i:i + 2], 16) for i in (1, 3, 5))
             for k, look in LOOKS.items()}
    for vision, matrix in _CVD.items():
        seen = {k: _seen(c, matrix) for k, c in {**marks, **kinds}.items()}
        for mark in marks:
            for other, colour in seen.items():
                if other != mark:
                    assert math.dist(seen[mark], colour) > 40, (vision, mark, other)


LINE_GEOMETRY = """(() => {
  const terms = Array.from(document.querySelectorAll("#line .term"));
  return {broken: terms.filter((t) => t.getClientRects().length > 1).length,
          terms: terms.length,
          panel: document.getElementById("now").getBoundingClientRect().height,
          window: window.innerHeight,
          view: document.querySelector("#chart svg").getAttribute("viewBox")};
})()"""


def test_long_lines_break_between_terms_in_a_third_of_the_window(browser, tmp_path):
    page = sg.animate(big_mlp_loss(), tmp_path / "p.html")
    browser.open(page, 800, 600)
    longest = max(range(len(page_steps(page.read_text("utf-8")))),
                  key=lambda k: len(page_steps(page.read_text("utf-8"))[k]["text"]))
    browser.js(f'location.hash = "#step={longest + 1}"; location.reload()')
    time.sleep(1.0)
    geometry = browser.js(LINE_GEOMETRY)
    assert geometry["terms"] > 3 and geometry["broken"] == 0
    assert geometry["panel"] <= geometry["window"] / 3 + 1


def test_the_last_step_shows_the_whole_chart(browser, tmp_path):
    page = sg.animate(big_mlp_loss(), tmp_path / "p.html", zoom=True)
    browser.open(page, 1280, 720)
    browser.press("End")
    time.sleep(0.6)
    shown = browser.js('document.querySelector("#chart svg").getAttribute("viewBox")')
    drawn = re.search(r'viewBox="([^"]+)"', page.read_text("utf-8"))[1]
    assert [float(v) for v in shown.split()] == pytest.approx([float(v) for v in drawn.split()])


TOOLTIPS = """(() => Object.fromEntries(Array.from(document.querySelectorAll("#chart g.node"),
  (g) => [g.id, (g.querySelector("a") || {getAttribute: () => ""}).getAttribute("xlink:title")])
))()"""


def test_tooltips_tell_no_more_than_the_chart(browser, tmp_path):
    root = tanh_neuron()
    browser.open(sg.animate(root, tmp_path / "p.html"))
    before = browser.js(TOOLTIPS)
    root_id = f"v{len(topological_order(root)) - 1}"
    assert "grad = ?" in before[root_id]
    browser.press("ArrowRight")
    after = browser.js(TOOLTIPS)
    assert "grad = 1.0" in after[root_id]
    assert all("grad = ?" in tip for node, tip in after.items()
               if node != root_id and tip and "grad" in tip)


HEADINGS = """(() => Object.fromEntries(Array.from(
  document.querySelectorAll("#chart g.node"),
  (g) => [g.id, Array.from(g.querySelectorAll("text"), (t) => t.textContent).slice(0, 2)])))()"""


@pytest.mark.parametrize("view", ["neuron", "layer"])
def test_a_collapsed_step_writes_its_names_in_their_boxes(view, browser, tmp_path):
    """By neuron or by layer, a step writes the name of each node it uses from inside a
    box in that box's heading (its own node in the marked box), says in the caption where
    they are, and the next step puts the headings back."""
    loss = big_mlp_loss()
    page = sg.animate(loss, tmp_path / "p.html", view=view)
    steps = page_steps(page.read_text("utf-8"))
    browser.open(page)
    before = browser.js(HEADINGS)
    seen = 0
    for k, step in enumerate(steps, start=1):
        browser.press("ArrowRight")
        headings = browser.js(HEADINGS)
        first = dict(reversed(step.get("inside", [])))  # the first name listed in each box
        for box, words in headings.items():
            want = before[box] if box not in first else [before[box][0], first[box]]
            assert words == want, (k, box, words, step)
        caption = browser.js('document.getElementById("caption").textContent')
        assert caption.endswith(step["where"] if "where" in step else f"{len(steps)}"), caption
        seen += len(first)
    assert seen > len(steps)
    assert browser.problems() == []
