// Keyboard shortcuts of the results page: "/" goes to the search box, "j" and "k" to the next and the
// previous hit (its title link, so Enter opens it). Nothing else runs on the pages.
"use strict";
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select")) {
    return;
  }
  if (event.key === "/") {
    const box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
    return;
  }
  if (event.key !== "j" && event.key !== "k") {
    return;
  }
  const hits = Array.from(document.querySelectorAll("article.hit:not(.member)"));
  if (!hits.length) {
    return;
  }
  const here = hits.indexOf(document.activeElement && document.activeElement.closest("article.hit:not(.member)"));
  const step = event.key === "j" ? 1 : -1;
  const next = hits[here < 0 ? 0 : Math.max(0, Math.min(hits.length - 1, here + step))];
  const title = next.querySelector("h2 a");
  if (title) {
    event.preventDefault();
    title.focus();
    next.scrollIntoView({block: "nearest"});
  }
});
