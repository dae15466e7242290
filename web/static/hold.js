// Press-and-hold for the Emergenza page's virtual button: held for the whole time it sends
// (the long press), released earlier it is a short press, like the physical button. Without
// script the two submit buttons do the same.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".hold-form");
  if (!form) {
    return;
  }
  const button = form.querySelector(".hold-button");
  const short = form.querySelector(".hold-short");
  const fill = form.querySelector(".hold-fill");
  const status = form.querySelector(".hold-status");
  const seconds = Number(form.dataset.holdSeconds) || 3;
  short.hidden = true;
  let started = null;
  let frame = null;
  let announced = null;

  const reset = () => {
    started = null;
    cancelAnimationFrame(frame);
    fill.style.width = "0";
    button.classList.remove("holding");
  };
  const tick = () => {
    const held = (performance.now() - started) / 1000;
    fill.style.width = `${Math.min(100, (held / seconds) * 100)}%`;
    const left = Math.ceil(seconds - held);
    if (left !== announced && left > 0) {
      announced = left;
      status.textContent = form.dataset.textLeft.replace("{n}", left);
    }
    if (held >= seconds) {
      status.textContent = form.dataset.textSent;
      reset();
      form.requestSubmit(button);
      return;
    }
    frame = requestAnimationFrame(tick);
  };
  const start = (event) => {
    event.preventDefault();
    if (started !== null) {
      return;
    }
    started = performance.now();
    announced = null;
    button.classList.add("holding");
    frame = requestAnimationFrame(tick);
  };
  const stop = () => {
    if (started === null) {
      return;
    }
    reset();
    status.textContent = form.dataset.textEarly;
    form.requestSubmit(short);
  };

  button.addEventListener("click", (event) => event.preventDefault());
  button.addEventListener("pointerdown", start);
  button.addEventListener("pointerup", stop);
  button.addEventListener("pointerleave", stop);
  button.addEventListener("keydown", (event) => {
    if ((event.key === " " || event.key === "Enter") && !event.repeat) {
      start(event);
    }
  });
  button.addEventListener("keyup", (event) => {
    if (event.key === " " || event.key === "Enter") {
      stop();
    }
  });
});
