// Progressive enhancement: the segment editor's count follows every change (the "Conta"
// button does the same without script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("segment-form");
  const output = document.getElementById("segment-count");
  if (!form || !output) {
    return;
  }
  let timer = null;
  const update = () => {
    const body = new FormData(form);
    fetch(form.dataset.countUrl, { method: "POST", body, credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        output.textContent = data.error ? data.error : `Persone raggiunte ora: ${data.count}`;
      })
      .catch(() => {});
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
});
