// The teacher's dashboard: a tile over every box of the class's chart, coloured by the
// share of the class with it right; live by server-sent events.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const $ = (id) => document.getElementById(id);
  const wrap = $("wrap");
  let selected = null, size = 0;

  for (const box of data.boxes.filter((b) => b.chart && document.getElementById("a_" + b.chart))) {
    const tile = document.createElement("button");
    tile.type = "button";
    tile.className = "tile";
    tile.setAttribute("aria-pressed", "false");
    tile.addEventListener("click", () => select(box));
    box.tile = tile;
    wrap.append(tile);
  }

  function colour(share) {  // from the wrong colour (none right) to the right one (all)
    const a = [253, 227, 207], b = [150, 220, 190];
    const c = a.map((x, i) => Math.round(x + (b[i] - x) * share));
    return "rgb(" + c.join(",") + ")";
  }

  const names = () => ($("names").checked ? "?names=1" : "");

  async function refresh() {
    const response = await fetch("/teacher/api/state" + names(), { credentials: "same-origin" });
    if (!response.ok) return;
    const state = await response.json();
    size = state.students.length;
    for (const b of state.boxes) {
      const box = data.boxes.find((x) => x.id === b.id);
      if (!box || !box.tile) continue;
      const share = b.answered ? b.right / b.answered : 0;
      box.tile.style.background = b.answered ? colour(share) : "#fff";
      box.tile.textContent = b.answered ? Math.round(100 * share) + "%·" + b.answered : "";
      // the name a screen reader says starts with the text shown (WCAG label in name)
      box.tile.setAttribute("aria-label", (box.tile.textContent + " " + box.name + ": " +
                            b.right + " right of " + b.answered + " answered, " + size +
                            " in the class").trim());
    }
    const rows = state.students.map((s) => {
      const tr = document.createElement("tr");
      const cells = [s.shown, String(s.variant), s.right + " / " + state.total,
                     String(s.answered), s.finished ? "finished" : s.stuck || "—"];
      for (const text of cells) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }
      const td = document.createElement("td"), remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "remove";
      remove.setAttribute("aria-label", "remove " + s.shown);
      remove.addEventListener("click", () => {
        if (confirm("Remove " + s.shown + " from the class?")) act("remove", { student: s.id });
      });
      td.append(remove); tr.append(td);
      return tr;
    });
    $("roster").tBodies[0].replaceChildren(...rows);
    $("code").textContent = state.joining ? state.code : "expired";
    $("address").textContent = state.joining ? state.address : "joining is closed";
    const qr = new DOMParser().parseFromString(state.qr, "image/svg+xml").documentElement;
    $("qr").replaceChildren(document.importNode(qr, true));
    $("qr").hidden = !state.joining;
    $("feedback").value = state.feedback;
    $("flags").textContent = [state.open ? "open" : "closed",
                              state.released ? "solution released" : "",
                              size + " students"].filter(Boolean).join(" · ");
    if (selected) detail(selected);
  }

  async function select(box) {
    for (const b of data.boxes) if (b.tile) b.tile.setAttribute("aria-pressed", String(b === box));
    selected = box;
    detail(box);
  }

  async function detail(box) {
    const response = await fetch("/teacher/api/box/" + box.id + names(), { credentials: "same-origin" });
    if (!response.ok) return;
    const got = await response.json();
    const table = document.createElement("table");
    const caption = table.createCaption();
    caption.textContent = got.box + ": the answers, by the checker's diagnosis";
    for (const group of got.groups) {
      for (const a of group.answers) {
        const tr = table.insertRow();
        for (const text of [group.kind + " (" + group.count + ")", a.who, a.text, a.note]) {
          tr.insertCell().textContent = text;
        }
      }
    }
    $("detail").replaceChildren(table);
  }

  async function act(action, extra) {
    await fetch("/teacher/api/control", {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(Object.assign({ action: action }, extra || {})),
    });
    refresh();
  }

  for (const button of document.querySelectorAll("#controls button")) {
    button.addEventListener("click", () => act(button.dataset.action));
  }
  $("feedback").addEventListener("change", () => act("feedback", { value: $("feedback").value }));
  $("names").addEventListener("change", refresh);

  window.scalargradOverlay(wrap, () => data.boxes.filter((b) => b.tile)
    .map((b) => [b.chart, b.tile]), 0.55);
  refresh();
  const events = new EventSource("/teacher/events");
  let timer = null;
  events.addEventListener("changed", () => {  // at most a few refreshes a second
    if (!timer) timer = setTimeout(() => { timer = null; refresh(); }, 150);
  });
})();
