// Progressive enhancement of the segment editor: each row shows only the controls its rule
// uses, and the count beside the rules follows every change ("Aggiorna il conteggio" does the
// same without script).
"use strict";

// Which controls a rule needs; the choice list keeps only the values of the rule's field.
const NEEDS = {
  "topic:has": ["choice"],
  "topic:has_not": ["choice"],
  "language:is": ["choice"],
  "language:is_not": ["choice"],
  "answer:is": ["choice", "question", "value"],
  "answer:is_not": ["choice", "question", "value"],
  "answer:gte": ["question", "value"],
  "answer:lte": ["question", "value"],
  "subscribed:after": ["value"],
  "subscribed:before": ["value"],
  "last_interaction:within_days": ["value"],
  "last_interaction:not_within_days": ["value"],
};
const VALUE_TYPE = { subscribed: "date", last_interaction: "number", answer: "text" };

function shapeRow(row) {
  const rule = row.querySelector("[data-rule]").value;
  const field = rule.split(":")[0];
  const needs = NEEDS[rule] || [];
  for (const box of row.querySelectorAll("[data-for]")) {
    box.hidden = !needs.includes(box.dataset.for);
  }
  for (const group of row.querySelectorAll("optgroup[data-field]")) {
    const off = group.dataset.field !== field;
    group.hidden = off;
    group.disabled = off;
  }
  const value = row.querySelector("[data-for=value] input");
  if (value) {
    value.type = rule.startsWith("answer:gt") || rule.startsWith("answer:lt") ? "number" : VALUE_TYPE[field] || "text";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("segment-form");
  const output = document.getElementById("segment-count");
  if (!form || !output) {
    return;
  }
  for (const row of form.querySelectorAll("[data-row]")) {
    shapeRow(row);
  }
  let timer = null;
  const update = () => {
    const body = new FormData(form);
    fetch(form.dataset.countUrl, { method: "POST", body, credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        output.textContent = data.error || data.text;
      })
      .catch(() => {});
  };
  form.addEventListener("change", (event) => {
    const row = event.target.closest("[data-row]");
    if (row && event.target.matches("[data-rule]")) {
      shapeRow(row);
    }
  });
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
});
