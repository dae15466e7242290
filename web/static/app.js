// Progressive enhancement only: every form works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  // Ask before destructive actions marked with data-confirm.
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // Forms marked data-once (launch, resume, resend) are sent once: a second press does
  // nothing. Disabled after this task, or the pressed button's value would not be sent.
  if (form.hasAttribute("data-once")) {
    window.setTimeout(() => {
      for (const button of form.querySelectorAll("button")) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }
    }, 0);
  }
});

window.addEventListener("pageshow", (event) => {
  // Back from the next page (bfcache): the buttons work again, the server still decides.
  if (event.persisted) {
    for (const button of document.querySelectorAll("form[data-once] button")) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
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
