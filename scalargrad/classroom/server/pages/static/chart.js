// Shared by the student's page and the dashboard: put an element over each empty box of
// the chart (the SVG's element "a_" + id), sized to it; again whenever the chart resizes.
"use strict";
window.scalargradOverlay = function (wrap, items, fontShare) {
  function place() {
    const origin = wrap.getBoundingClientRect();
    for (const [id, element] of items()) {
      const r = document.getElementById("a_" + id).getBoundingClientRect();
      Object.assign(element.style, {
        left: r.left - origin.left + "px", top: r.top - origin.top + "px",
        width: r.width + "px", height: r.height + "px", fontSize: fontShare * r.height + "px",
      });
    }
  }
  place();
  new ResizeObserver(place).observe(wrap);
};
