// Demo controls: a press-and-hold emergency button (pointer and keyboard) and the drawn LED.
"use strict";

(() => {
  const button = document.getElementById("hold-button");
  const led = document.getElementById("led");
  const status = document.getElementById("hold-status");
  if (!button || !led) return;
  const hold = Number(button.dataset.hold) * 1000;
  let pressedAt = 0;
  let frame = 0;

  const send = (edge) => fetch(button.dataset.url, {
    method: "POST",
    body: new URLSearchParams({ edge }),
    credentials: "same-origin",
  });

  function animate() {
    const progress = Math.min(1, (performance.now() - pressedAt) / hold);
    button.style.setProperty("--progress", progress);
    const left = Math.ceil((hold - (performance.now() - pressedAt)) / 1000);
    status.textContent = progress < 1
      ? button.dataset.holding.replace("{s}", left)
      : button.dataset.recognised;
    if (progress < 1) frame = requestAnimationFrame(animate);
  }

  function down() {
    if (pressedAt) return;
    pressedAt = performance.now();
    send("down");
    frame = requestAnimationFrame(animate);
  }

  function up() {
    if (!pressedAt) return;
    const long = performance.now() - pressedAt >= hold;
    pressedAt = 0;
    cancelAnimationFrame(frame);
    send("up");
    button.style.setProperty("--progress", 0);
    status.textContent = long ? button.dataset.sent : button.dataset.short;
  }

  button.addEventListener("pointerdown", (event) => { button.setPointerCapture(event.pointerId); down(); });
  button.addEventListener("pointerup", up);
  button.addEventListener("pointercancel", up);
  button.addEventListener("keydown", (event) => {
    if ((event.key === " " || event.key === "Enter") && !event.repeat) { event.preventDefault(); down(); }
  });
  button.addEventListener("keyup", (event) => {
    if (event.key === " " || event.key === "Enter") { event.preventDefault(); up(); }
  });
  button.addEventListener("blur", up);

  // The LED plays the real pattern of the box's state, re-read every second.
  let steps = led.dataset.steps.split(",").map(Number);
  let stepIndex = 0;
  function play() {
    const lit = stepIndex % 2 === 0;
    led.classList.toggle("demo-led-on", lit);
    const duration = steps.length === 1 ? (lit ? steps[0] : 1 - steps[0]) : steps[stepIndex % steps.length];
    stepIndex = steps.length === 1 ? stepIndex + 1 : (stepIndex + 1) % steps.length;
    window.setTimeout(play, Math.max(40, duration * 1000));
  }
  async function refresh() {
    try {
      const state = await (await fetch(led.dataset.url, { credentials: "same-origin" })).json();
      const next = state.steps;
      if (next.join(",") !== steps.join(",")) { steps = next; stepIndex = 0; }
      document.getElementById("led-text").textContent = `${state.label} – ${state.meaning}`;
    } catch (error) {
      // restarting: keep the last pattern
    }
  }
  play();
  window.setInterval(refresh, 1000);
})();
