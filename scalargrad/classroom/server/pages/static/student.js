// The student's page: an input over every empty box of the chart; each answer is sent
// to the server (which grades it) and kept in localStorage until the server has
// committed it, so that nothing typed is lost when the connection drops.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const $ = (id) => document.getElementById(id);
  const wrap = $("wrap"), svg = wrap.querySelector("svg");
  const storeKey = "scalargrad:" + data.class + ":" + data.student;
  const saved = JSON.parse(localStorage.getItem(storeKey) || '{"seq":0,"pending":{}}');
  const byId = {};
  let released = false;
  const SAID = { right: "right", wrong: "wrong", slip: "wrong: a slip",
                 follows: "wrong, but it follows from earlier numbers",
                 "cut off": "cut off instead of rounded", unreadable: "not a number",
                 empty: "" };

  // The chart at its natural size or wider: boxes big enough to type in on a phone.
  const points = parseFloat(svg.getAttribute("width"));
  wrap.style.setProperty("--min-width", Math.round(points * 1.5) + "px");

  for (const box of data.boxes) {
    const input = document.createElement("input");
    input.id = "in-" + box.id;
    input.inputMode = "decimal";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.className = "box";
    input.setAttribute("aria-label", box.kind === "data" ? "value of " + box.name : box.name);
    input.addEventListener("input", () => typed(box));
    input.addEventListener("focus", () => tell(box));
    box.input = input;
    byId[box.id] = box;
    if (box.chart && document.getElementById("a_" + box.chart)) {
      wrap.append(input);
    } else {  // a number the chart has no box for (∂ŷ/∂w: the chart shows ∂L/∂·)
      box.chart = null;
      const label = document.createElement("label");
      label.append(box.name + " =", input);
      $("more").append(label);
    }
  }

  function keep() { localStorage.setItem(storeKey, JSON.stringify(saved)); }

  function typed(box) {
    saved.seq += 1;
    saved.pending[box.id] = { text: box.input.value, seq: saved.seq };
    keep();
    show(box, null);
    clearTimeout(box.timer);
    box.timer = setTimeout(() => send(box.id), 350);
  }

  async function send(id) {
    const item = saved.pending[id];
    if (!item) return;
    try {
      const response = await fetch("/api/answer", {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ box: id, text: item.text, seq: item.seq }),
      });
      if (response.status === 409) { status("The exercise is closed."); return; }
      if (response.status === 401) { location.href = "/"; return; }
      if (!response.ok) throw new Error(String(response.status));
      acknowledged(await response.json());
      status("");
    } catch (err) {
      status("Not sent yet: your answers are kept and will be sent again.");
    }
  }

  function acknowledged(reply) {
    const item = saved.pending[reply.box];
    if (item && item.seq <= reply.seq) { delete saved.pending[reply.box]; keep(); }
    if (!saved.pending[reply.box]) show(byId[reply.box], reply);
  }

  function show(box, reply) {
    if (!box) return;
    const kind = reply && reply.kind ? reply.kind : "";
    box.input.className = "box " + (reply ? kind.replace(" ", "-") : "pending");
    box.mark = reply;
    if (document.activeElement === box.input) tell(box);
  }

  function tell(box) {
    const reply = box.mark;
    let text = box.name + ": ";
    if (!reply) text += box.input.value.trim() ? "sending…" : "";
    else if (!reply.kind) text += reply.text ? "saved" : "";
    else text += SAID[reply.kind] || reply.kind;
    if (reply && reply.hint) text += " (" + reply.hint + ")";
    $("verdict").textContent = text;
  }

  function status(text) {
    const right = data.boxes.filter((b) => b.mark && b.mark.kind === "right").length;
    const shown = data.boxes.some((b) => b.mark && b.mark.kind);
    $("status").textContent = text || (shown ? right + " of " + data.boxes.length + " right" : "");
  }

  async function refresh() {
    try {
      const response = await fetch("/api/state", { credentials: "same-origin" });
      if (response.status === 401) { location.href = "/"; return; }
      const state = await response.json();
      for (const reply of state.answers) {
        saved.seq = Math.max(saved.seq, reply.seq);
        const box = byId[reply.box];
        if (!box) continue;
        if (!saved.pending[reply.box]) { box.input.value = reply.text; show(box, reply); }
      }
      keep();
      for (const box of data.boxes) box.input.disabled = !state.open || state.released;
      if (state.released && !released) { released = true; solution(); }
      status(state.open ? "" : "The exercise is closed.");
    } catch (err) { status("Offline: your answers are kept."); }
    for (const id of Object.keys(saved.pending)) {  // resend what was not acknowledged
      const box = byId[id];
      if (box) { box.input.value = saved.pending[id].text; send(id); }
    }
  }

  async function solution() {
    const response = await fetch("/api/solution", { credentials: "same-origin" });
    if (!response.ok) return;
    const got = await response.json();
    const parsed = new DOMParser().parseFromString(got.svg, "image/svg+xml");
    $("solution-chart").replaceChildren(document.importNode(parsed.documentElement, true));
    $("walkthrough").textContent = got.walkthrough;
    $("solution").hidden = false;
  }

  window.scalargradOverlay(wrap, () => data.boxes.filter((b) => b.chart)
    .map((b) => [b.chart, b.input]), 0.6);
  refresh();
  setInterval(refresh, 5000);
  window.addEventListener("online", refresh);
  const first = data.boxes[0];
  if (first) first.input.focus({ preventScroll: true });
})();
