// The demo phone, live: new messages and ticks appear without a reload; forms work without it.
"use strict";

(() => {
  const phone = document.querySelector(".wa-phone");
  if (!phone) return;
  const scroller = document.getElementById("wa-scroll");
  const pollUrl = phone.dataset.poll;
  const text = document.getElementById("f-text");

  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;

  async function refresh() {
    const chat = document.getElementById("wa-chat");
    const since = chat ? chat.dataset.signature : "";
    try {
      const response = await fetch(`${pollUrl}&since=${encodeURIComponent(since)}`, { credentials: "same-origin" });
      if (response.status !== 200) return;
      const follow = nearBottom();
      const open = [...scroller.querySelectorAll("details[open]")].map((d) => d.closest("li").id);
      const known = new Set([...scroller.querySelectorAll(".wa-row")].map((row) => row.id));
      scroller.innerHTML = await response.text();
      announce([...scroller.querySelectorAll(".wa-theirs")].filter((row) => !known.has(row.id)));
      for (const id of open) {
        const details = document.getElementById(id)?.querySelector("details");
        if (details) details.open = true;
      }
      if (follow) toBottom();
    } catch (error) {
      // The appliance is restarting: the next round tries again.
    }
  }

  // Only what is new is read out, not the whole chat redrawn.
  const announcer = document.getElementById("wa-announce");
  function announce(rows) {
    const text = rows.map((row) => row.querySelector(".wa-bubble").innerText.trim()).join("\n");
    if (text && announcer) announcer.textContent = text;
  }

  async function post(form, submitter) {
    const data = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    await fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    await refresh();
    toBottom();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.closest(".wa-phone, .wa-actions") || form.method.toLowerCase() !== "post") return;
    event.preventDefault();
    const submitter = event.submitter;
    if (form.classList.contains("wa-compose")) {
      if (!text.value.trim()) return;
      post(form, submitter);
      text.value = "";
      text.focus();
      return;
    }
    post(form, submitter);
  });

  text?.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter starts a new line, as in WhatsApp Web.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      text.form.requestSubmit();
    }
  });

  toBottom();
  // On a wide screen the composer takes the focus; on a phone that would scroll the page away.
  if (window.matchMedia("(min-width: 60rem)").matches) text?.focus({ preventScroll: true });
  window.setInterval(refresh, 1500);
})();
