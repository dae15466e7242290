// Progressive enhancement only: every form works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  // Ask before destructive actions marked with data-confirm.
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.addEventListener("DOMContentLoaded", () => {
  // A token shown once: select it on focus so it can be copied in one gesture.
  for (const input of document.querySelectorAll("input[data-copy]")) {
    input.addEventListener("focus", () => input.select());
  }
});
