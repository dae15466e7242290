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
  // On a phone the navigation is one scrolling row: bring the current entry into sight.
  const current = document.querySelector(".main-nav [aria-current]");
  const row = current && current.closest(".main-nav");
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - row.clientWidth / 2 + current.offsetWidth / 2;
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // A token shown once: select it on focus so it can be copied in one gesture.
  for (const input of document.querySelectorAll("input[data-copy]")) {
    input.addEventListener("focus", () => input.select());
  }
});
