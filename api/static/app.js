// shopagent web chat: plain JS over the HTTP API (no build step).
// Streams turns as SSE over fetch (EventSource cannot POST or send an Authorization header).
"use strict";

const $ = (sel) => document.querySelector(sel);
const KEY_STORE = "shopagent.apiKey";
const SESSION_STORE = "shopagent.session";

const state = { key: null, session: null, busy: false, imageFile: null };

// --- API ---------------------------------------------------------------------------------

function apiKey() {
  const dev = document.querySelector('meta[name="shopagent-dev-key"]');
  return (dev && dev.content) || localStorage.getItem(KEY_STORE);
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = "GET", json, form, signal } = {}) {
  const headers = { Authorization: `Bearer ${state.key}` };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const res = await fetch(path, { method, headers, body, signal });
  if (!res.ok) {
    let code = "http_" + res.status;
    let message = res.statusText;
    try {
      const err = (await res.json()).error;
      code = err.code;
      message = err.message;
    } catch (_) { /* not our JSON error body */ }
    if (res.status === 401) showKeyForm(true);
    if (res.status === 429) message += ` (retry in ${res.headers.get("Retry-After") || "a few"} s)`;
    throw new ApiError(res.status, code, message);
  }
  return res;
}

// Parses a text/event-stream body; calls onEvent(type, data) per event.
async function readSSE(res, onEvent) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let type = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue; // keep-alive comment
        const i = line.indexOf(":");
        const field = i < 0 ? line : line.slice(0, i);
        const val = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
        if (field === "event") type = val;
        else if (field === "data") data.push(val);
      }
      if (data.length) onEvent(type, JSON.parse(data.join("\n")));
    }
  }
}

// --- rendering ---------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function money(value, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "USD" })
      .format(value);
  } catch (_) {
    return `${Number(value).toFixed(2)} ${currency || ""}`;
  }
}

function setStatus(text) { $("#status").textContent = text || ""; }

function scrollDown() { const log = $("#log"); log.scrollTop = log.scrollHeight; }

function addBubble(role, text) {
  const hint = $("#log .hint");
  if (hint) hint.remove();
  const body = el("div", { class: "text", text: text || "" });
  const who = role === "user" ? "You" : "Assistant";
  const bubble = el("article", { class: `msg ${role}`, "aria-label": `${who} said` }, body);
  $("#log").append(bubble);
  scrollDown();
  return bubble;
}

const ATTR_KEYS = ["color", "size", "material", "style"];

function productCard(p) {
  const attrs = Object.entries(p.attributes || {})
    .filter(([k, v]) => ATTR_KEYS.includes(k) && v !== null && v !== "")
    .map(([k, v]) => el("li", {}, el("span", { class: "k", text: k }), " ",
      el("span", { text: Array.isArray(v) ? v.join(", ") : String(v) })));
  return el("li", { class: "product-card" },
    p.image_url ? el("img", { src: p.image_url, alt: p.title, loading: "lazy" })
      : el("div", { class: "noimg", "aria-hidden": "true" }),
    el("h3", { text: p.title }),
    el("p", { class: "price", text: money(p.price, p.currency) }),
    p.brand ? el("p", { class: "brand", text: p.brand }) : null,
    attrs.length ? el("ul", { class: "attrs", "aria-label": "Attributes" }, ...attrs) : null,
    p.in_stock === false ? el("p", { class: "oos", text: "Out of stock" }) : null,
    el("p", { class: "pid muted", text: p.id }));
}

function renderProducts(bubble, products) {
  if (!products || !products.length) return;
  const old = bubble.querySelector(".products");
  if (old) old.remove();
  bubble.append(el("ul", { class: "products", "aria-label": "Products" },
    ...products.map(productCard)));
  scrollDown();
}

function renderConfirm(bubble, ev) {
  const box = el("div", { class: "confirm", role: "group", "aria-label": "Confirm action" },
    el("p", { text: ev.summary }));
  const answer = (approve) => async () => {
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    box.append(el("p", { class: "muted", text: approve ? "Confirmed." : "Cancelled." }));
    await runTurn(`/v1/sessions/${state.session}/confirm`,
      { confirmation_id: ev.confirmation_id, approve });
  };
  const yes = el("button", { type: "button", class: "primary", onclick: answer(true) }, "Confirm");
  const no = el("button", { type: "button", onclick: answer(false) }, "Cancel");
  box.append(el("div", { class: "row" }, yes, no));
  bubble.append(box);
  scrollDown();
  yes.focus();
}

const TOOL_LABELS = {
  search_products: "Searching the catalog…",
  visual_search: "Looking for similar items…",
  add_to_cart: "Updating the cart…",
};

// --- turns -------------------------------------------------------------------------------

async function runTurn(path, payload) {
  setBusy(true);
  const bubble = addBubble("assistant", "");
  const text = bubble.querySelector(".text");
  let streamed = "";
  try {
    const res = await api(path, { method: "POST", json: payload });
    await readSSE(res, (type, ev) => {
      if (type === "route") {
        bubble.dataset.tier = ev.tier;
      } else if (type === "tool_call") {
        setStatus(TOOL_LABELS[ev.name] || `Running ${ev.name}…`);
      } else if (type === "products") {
        renderProducts(bubble, ev.products);
      } else if (type === "message_delta") {
        streamed += ev.text;
        text.textContent = streamed;
        scrollDown();
      } else if (type === "message") {
        text.textContent = ev.text;
      } else if (type === "confirm_required") {
        renderConfirm(bubble, ev);
      } else if (type === "error") {
        bubble.append(el("p", { class: "error", role: "alert", text: ev.message }));
      } else if (type === "done") {
        setStatus("");
      }
    });
  } catch (err) {
    bubble.append(el("p", { class: "error", role: "alert", text: err.message }));
  } finally {
    setStatus("");
    setBusy(false);
    refreshCart();
    refreshSessions();
  }
}

function setBusy(busy) {
  state.busy = busy;
  $("#send").disabled = busy;
  $("#composer").setAttribute("aria-busy", busy ? "true" : "false");
}

async function send(evt) {
  evt.preventDefault();
  if (state.busy || !state.key) return;
  const input = $("#composer-text");
  const text = input.value.trim();
  const file = state.imageFile;
  if (!text && !file) return;
  setBusy(true); // before the first await: a second Enter must not send twice
  try {
    if (!state.session) await newSession();
    let image_id = null;
    const bubble = addBubble("user", text);
    if (file) {
      bubble.append(el("img", { class: "thumb", src: URL.createObjectURL(file),
        alt: "Your photo" }));
      setStatus("Uploading photo…");
      const form = new FormData();
      form.append("file", file, file.name || "photo");
      image_id = (await (await api("/v1/images", { method: "POST", form })).json()).image_id;
      clearAttachment();
    }
    input.value = "";
    await runTurn(`/v1/sessions/${state.session}/messages`, { text, image_id });
  } catch (err) {
    setStatus("");
    setBusy(false);
    addBubble("assistant", "").append(el("p", { class: "error", role: "alert",
      text: err.message }));
  }
  // Back to the message box, unless the turn moved focus on purpose (a confirm button).
  const active = document.activeElement;
  if (!active || active === document.body || active === $("#send")) input.focus();
}

function clearAttachment() {
  state.imageFile = null;
  $("#photo").value = "";
  $("#attachment").hidden = true;
  $("#attachment-img").removeAttribute("src");
}

// --- sessions and cart -------------------------------------------------------------------

async function newSession() {
  const s = await (await api("/v1/sessions", { method: "POST", json: {} })).json();
  selectSession(s.session_id, false);
  await refreshSessions();
  return s;
}

async function refreshSessions() {
  if (!state.key) return;
  let data;
  try { data = await (await api("/v1/sessions")).json(); } catch (_) { return; }
  const list = $("#sessions");
  list.replaceChildren(...data.sessions.map((s) => {
    const current = s.session_id === state.session;
    const open = el("button", { type: "button", class: "session",
      "aria-current": current ? "true" : null,
      onclick: () => loadSession(s.session_id) }, s.title || "Conversation");
    const del = el("button", { type: "button", class: "del",
      "aria-label": `Delete conversation ${s.title}`,
      onclick: () => deleteSession(s.session_id) }, "×");
    return el("li", {}, open, del);
  }));
  if (!data.sessions.length) list.append(el("li", { class: "muted", text: "No conversations yet." }));
}

function selectSession(id, clear = true) {
  state.session = id;
  if (id) localStorage.setItem(SESSION_STORE, id); else localStorage.removeItem(SESSION_STORE);
  if (clear) $("#log").replaceChildren();
}

async function loadSession(id) {
  let s;
  try { s = await (await api(`/v1/sessions/${id}`)).json(); } catch (err) {
    if (err.status === 404) { selectSession(null); refreshSessions(); }
    return;
  }
  selectSession(id);
  for (const item of s.history) {
    if (item.role === "tool") continue;
    const b = addBubble(item.role, item.text);
    renderProducts(b, item.products);
  }
  if (s.pending_confirmation) {
    renderConfirm(addBubble("assistant", ""), s.pending_confirmation);
  }
  refreshSessions();
  closeSide();
}

async function deleteSession(id) {
  try { await api(`/v1/sessions/${id}`, { method: "DELETE" }); } catch (_) { /* gone */ }
  if (id === state.session) selectSession(null);
  refreshSessions();
}

async function refreshCart() {
  if (!state.key) return;
  let cart;
  try { cart = await (await api("/v1/cart")).json(); } catch (_) { return; }
  const box = $("#cart");
  if (!cart.lines.length) {
    box.replaceChildren(el("p", { class: "muted", text: "Your cart is empty." }));
    return;
  }
  const rows = cart.lines.map((l) => el("li", { class: "cart-line" },
    el("span", { text: `${l.quantity} × ${l.title}` }),
    Object.keys(l.options || {}).length
      ? el("span", { class: "muted", text: Object.values(l.options).join(", ") }) : null,
    el("span", { class: "price", text: money(l.line_total, l.currency) })));
  box.replaceChildren(el("ul", { class: "cart-lines" }, ...rows),
    el("p", { class: "total" }, `${cart.item_count} item(s), total `,
      el("strong", { text: money(cart.total, cart.currency) })));
}

// --- page wiring -------------------------------------------------------------------------

function showKeyForm(show) { $("#key-form").hidden = !show; if (show) $("#api-key").focus(); }

function closeSide() {
  $("#side").classList.remove("open");
  $("#toggle-side").setAttribute("aria-expanded", "false");
}

function init() {
  state.key = apiKey();
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.key = $("#api-key").value.trim();
    localStorage.setItem(KEY_STORE, state.key);
    showKeyForm(false);
    start();
  });
  $("#composer").addEventListener("submit", send);
  $("#composer-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
  });
  $("#photo").addEventListener("change", () => {
    const file = $("#photo").files[0];
    if (!file) return;
    state.imageFile = file;
    $("#attachment-img").src = URL.createObjectURL(file);
    $("#attachment").hidden = false;
  });
  $("#attachment-remove").addEventListener("click", () => {
    clearAttachment();
    $("#composer-text").focus();
  });
  $("#new-session").addEventListener("click", async () => {
    selectSession(null);
    try { await newSession(); } catch (err) { setStatus(err.message); }
    closeSide();
    $("#composer-text").focus();
  });
  $("#toggle-side").addEventListener("click", () => {
    const open = $("#side").classList.toggle("open");
    $("#toggle-side").setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeSide(); });
  if (state.key) start(); else showKeyForm(true);
}

async function start() {
  const saved = localStorage.getItem(SESSION_STORE);
  await refreshSessions();
  // Only if the shopper has not started typing meanwhile: loading clears the log.
  if (saved && !state.session && !state.busy) await loadSession(saved);
  refreshCart();
}

init();
