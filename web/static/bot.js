// Bot editor: each text's bubble follows what is typed, {comune} shown as the town's name.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const script = document.querySelector("script[data-town]");
  const town = script ? script.dataset.town : "";
  for (const area of document.querySelectorAll("textarea[data-preview]")) {
    const bubble = document.getElementById(area.dataset.preview);
    if (!bubble) {
      continue;
    }
    area.addEventListener("input", () => {
      bubble.firstElementChild.textContent = area.value.replaceAll("{comune}", town);
    });
  }
});
