// shopagent web chat: plain JS over the HTTP API (no build step).
// Streams turns as SSE over fetch (EventSource cannot POST or send an Authorization header).
import {
  askBoard, cartView, compareTable, el, lookGroup, money, pickOptions, productCard, showDetails,
} from "./ui.js";

const $ = (sel) => document.querySelector(sel);
const KEY_STORE = "shopagent.apiKey";
const SESSION_STORE = "shopagent.session";

const state = {
  key: null, session: null, busy: false, imageFile: null,
  cards: new Map(), compare: new Set(), turns: 0,
};

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
    const err = new ApiError(res.status, code, message);
    err.retryText = `Try again in ${res.headers.get("Retry-After") || "a few"} seconds.`;
    throw err;
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

function renderProducts(bubble, products) {
  if (!products || !products.length) return;
  const old = bubble.querySelector(".products");
  if (old) old.remove();
  for (const p of products) state.cards.set(p.id, p);
  const opts = (p) => ({ act: cardAction, onCompareToggle: toggleCompare,
    comparing: state.compare.has(p.id) });
  bubble.append(el("ul", { class: "products", "aria-label": "Products" },
    ...products.map((p) => productCard(p, opts(p)))));
  scrollDown();
}

// Short answers to the assistant's question, as buttons that send the value as a message.
function renderQuickReplies(bubble, replies) {
  if (!replies || !replies.length) return;
  const box = el("div", { class: "quick", role: "group", "aria-label": "Suggested answers" });
  for (const r of replies) {
    box.append(el("button", { type: "button", onclick: async () => {
      for (const b of box.querySelectorAll("button")) b.disabled = true;
      await whenIdle();
      sendText(r);
    } }, r));
  }
  bubble.append(box);
  scrollDown();
}

// The write waiting for a yes: its summary names the exact variant and price; when the
// event carries them as fields too, they are shown as such.
function renderConfirm(bubble, ev) {
  const args = ev.arguments || {};
  const options = ev.options || args.options || {};
  const facts = Object.entries(options)
    .map(([k, v]) => `${k.charAt(0).toUpperCase()}${k.slice(1)}: ${v}`);
  if (ev.unit_price !== undefined && ev.unit_price !== null) facts.push(`${money(ev.unit_price, ev.currency)} each`);
  const box = el("div", { class: "confirm", role: "group", "aria-label": "Confirm action" },
    el("p", { class: "summary", text: ev.summary }),
    facts.length ? el("p", { class: "facts", text: facts.join(" · ") }) : null);
  const answer = (approve) => async () => {
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    box.append(el("p", { class: "muted", text: approve ? "Confirmed." : "Cancelled." }));
    // The button takes focus as soon as the question arrives, while that turn may still be
    // streaming: a quick yes waits for it to end rather than colliding with it.
    await whenIdle();
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

// Errors as a sentence the shopper can act on, never a code; with a retry when it helps.
function humanError(err) {
  if (!(err instanceof ApiError)) return "Couldn't reach the shop. Check your connection.";
  if (err.status === 401) return "Your API key was not accepted. Enter it again above.";
  if (err.status === 409) return "Still answering your previous message. Try again in a moment.";
  if (err.status === 429) return `Too many messages at once. ${err.retryText}`;
  if (err.status >= 500) return "Something went wrong on our side.";
  return sentence(err.message || "That didn't work");
}

function sentence(m) {
  return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
}

function showError(bubble, text, retry) {
  const box = el("div", { class: "error", role: "alert" }, el("span", { text }));
  if (retry) {
    box.append(" ", el("button", { type: "button", onclick: () => { box.remove(); retry(); } },
      "Try again"));
  }
  bubble.append(box);
  scrollDown();
}

const TOOL_LABELS = {
  catalog_search: "Searching the catalog…",
  search_products: "Searching the catalog…",
  visual_search: "Looking for similar items…",
  get_product: "Getting the details…",
  product_details: "Getting the details…",
  compare_products: "Comparing…",
  add_to_cart: "Updating the cart…",
  update_cart_quantity: "Updating the cart…",
  remove_from_cart: "Updating the cart…",
  checkout: "Placing the order…",
};
const DETAIL_TOOLS = new Set(["get_product", "product_details"]);

// --- turns -------------------------------------------------------------------------------

// A turn's first card must paint fast: the time from its `products` event to the frame
// after the cards are in the DOM is kept in performance marks and shopagentMetrics.
window.shopagentMetrics = { cardPaintMs: [] };

function markCardPaint(n) {
  const start = `products-${n}`;
  performance.mark(start);
  return () => requestAnimationFrame(() => setTimeout(() => {
    const m = performance.measure(`card-paint-${n}`, start);
    window.shopagentMetrics.cardPaintMs.push(m.duration);
  }, 0));
}

async function runTurn(path, payload) {
  setBusy(true);
  const bubble = addBubble("assistant", "");
  const text = bubble.querySelector(".text");
  let streamed = "";
  let failed = false;
  const retry = () => { bubble.remove(); runTurn(path, payload); };
  try {
    const res = await api(path, { method: "POST", json: payload });
    await readSSE(res, (type, ev) => {
      if (type === "route") {
        bubble.dataset.tier = ev.tier;
      } else if (type === "tool_call") {
        setStatus(TOOL_LABELS[ev.name] || "Working…");
      } else if (type === "tool_result") {
        onToolResult(bubble, ev);
      } else if (type === "products") {
        const painted = markCardPaint(++state.turns);
        renderProducts(bubble, ev.products);
        painted();
      } else if (type === "message_delta") {
        streamed += ev.text;
        text.textContent = streamed;
        scrollDown();
      } else if (type === "message") {
        text.textContent = ev.text;
        renderQuickReplies(bubble, ev.quick_replies);
      } else if (type === "confirm_required") {
        renderConfirm(bubble, ev);
      } else if (type === "error") {
        failed = true;
        showError(bubble, sentence(ev.message || "Something went wrong on our side"), retry);
      } else if (type === "done") {
        setStatus("");
      }
    });
  } catch (err) {
    if (!failed) showError(bubble, humanError(err), err.status === 401 ? null : retry);
  } finally {
    setStatus("");
    setBusy(false);
    refreshCart();
    refreshSessions();
  }
}

function onToolResult(bubble, ev) {
  const content = ev.content || {};
  if (!ev.ok) return;
  if (DETAIL_TOOLS.has(ev.name) && content.product) {
    const product = content.product;
    const open = () => showDetails($("#dialog"), product, startAdd);
    bubble.append(el("button", { type: "button", class: "link",
      onclick: open }, `Details of ${product.title}`));
    open();
  } else if (ev.name === "compare_products") {
    const table = compareTable(content);
    if (table) bubble.append(table);
  } else if (content.look && (content.look.items || []).length) {
    bubble.append(lookGroup(content.look, addLook));
  }
}

const idleWaiters = [];

function whenIdle() {
  return state.busy ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve();
}

function setBusy(busy) {
  state.busy = busy;
  if (!busy) while (idleWaiters.length) idleWaiters.shift()();
  $("#send").disabled = busy;
  $("#composer").setAttribute("aria-busy", busy ? "true" : "false");
}

async function ensureSession() {
  if (!state.session) await newSession();
}

// Sends typed (or quick-reply) text as the shopper's message.
async function sendText(text, image) {
  if (state.busy || !state.key) return;
  setBusy(true); // before the first await: a second Enter must not send twice
  try {
    await ensureSession();
    let image_id = null;
    const bubble = addBubble("user", text);
    if (image) {
      bubble.append(el("img", { class: "thumb", src: URL.createObjectURL(image),
        alt: "Your photo" }));
      setStatus("Uploading photo…");
      const form = new FormData();
      form.append("file", image, image.name || "photo");
      image_id = (await (await api("/v1/images", { method: "POST", form })).json()).image_id;
      clearAttachment();
    }
    await runTurn(`/v1/sessions/${state.session}/messages`, { text, image_id });
  } catch (err) {
    setStatus("");
    setBusy(false);
    showError(addBubble("assistant", ""), humanError(err));
  }
}

async function send(evt) {
  evt.preventDefault();
  const input = $("#composer-text");
  const text = input.value.trim();
  const file = state.imageFile;
  if (state.busy || (!text && !file)) return;
  input.value = "";
  await sendText(text, file);
  // Back to the message box, unless the turn moved focus on purpose (a confirm button).
  const active = document.activeElement;
  if (!active || active === document.body || active === $("#send")) input.focus();
}

// A card or cart action: shown as the shopper's line, run by the agent as a tool call.
async function sendAction(action, line) {
  if (!state.key) return;
  if (state.busy) { setStatus("One moment: still answering your last message."); return; }
  setBusy(true);
  try {
    await ensureSession();
    addBubble("user", line);
    await runTurn(`/v1/sessions/${state.session}/messages`, { text: "", action });
  } catch (err) {
    setStatus("");
    setBusy(false);
    showError(addBubble("assistant", ""), humanError(err));
  }
}

function cardAction(type, p) {
  if (type === "details") sendAction({ type, product_id: p.id }, `Show details of ${p.title}`);
  else if (type === "more_like_this") {
    sendAction({ type, product_id: p.id }, `Show more like ${p.title}`);
  } else if (type === "add") startAdd(p);
  else if (type === "save") startSave(p);
}

async function startSave(p) {
  const board = await askBoard($("#dialog"), p, state.board);
  if (!board) return;
  state.board = board;
  sendAction({ type: "save", product_id: p.id, board }, `Save ${p.title} to my ${board} board`);
}

// Add from a card: the product's real options come from the catalog, the picker allows
// only available combinations, and the agent then asks for the usual confirmation.
async function startAdd(p) {
  if (state.busy) { setStatus("One moment: still answering your last message."); return; }
  let product = p.variants ? p : null;
  if (!product) {
    try {
      product = (await (await api(`/v1/products/${encodeURIComponent(p.id)}`)).json()).product;
    } catch (err) {
      setStatus(humanError(err));
      return;
    }
  }
  const choice = await pickOptions($("#dialog"), product);
  if (!choice) return;
  const opts = Object.values(choice.options).join(", ");
  sendAction({ type: "add_to_cart", product_id: product.id, ...choice },
    `Add ${choice.quantity} × ${product.title}${opts ? ` (${opts})` : ""} to my cart`);
}

// A suggested look or gift set, added in one step at the prices it was shown with.
function addLook(look) {
  const items = look.items.map((i) => {
    const item = { product_id: i.product_id };
    if (i.variant_id) item.variant_id = i.variant_id;
    if (i.unit_price !== undefined && i.unit_price !== null) item.unit_price = String(i.unit_price);
    return item;
  });
  sendAction({ type: "add_look", items },
    `Add the look to my cart: ${look.items.map((i) => i.title).join(", ")}`);
}

function toggleCompare(p, on) {
  if (on) state.compare.add(p.id); else state.compare.delete(p.id);
  renderCompareBar();
}

function renderCompareBar() {
  const bar = $("#compare-bar");
  const n = state.compare.size;
  bar.hidden = n === 0;
  $("#compare-count").textContent = n < 2 ? "Pick one more product to compare."
    : `${n} products selected${n > 4 ? " (at most 4 at a time)" : ""}.`;
  $("#compare-go").disabled = n < 2 || n > 4;
}

function runCompare() {
  const ids = [...state.compare];
  const names = ids.map((id) => (state.cards.get(id) || {}).title || "a product");
  state.compare.clear();
  for (const box of document.querySelectorAll(".product-card .cmp")) box.checked = false;
  renderCompareBar();
  sendAction({ type: "compare", product_ids: ids },
    `Compare ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`);
}

function cartAction(type, line, quantity) {
  closeSide();
  if (type === "checkout") { sendAction({ type: "checkout" }, "Check out"); return; }
  const base = { product_id: line.product_id };
  if (line.variant_id) base.variant_id = line.variant_id;
  if (type === "remove" || quantity <= 0) {
    sendAction({ type: "remove", ...base }, `Remove ${line.title} from my cart`);
  } else {
    sendAction({ type: "update_quantity", ...base, quantity },
      `Change ${line.title} to ${quantity} in my cart`);
  }
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
  const shown = s.history.filter((item) => item.role !== "tool");
  shown.forEach((item, i) => {
    const b = addBubble(item.role, item.text);
    renderProducts(b, item.products);
    // Only the last reply's question is still open.
    if (i === shown.length - 1 && !s.pending_confirmation) renderQuickReplies(b, item.quick_replies);
  });
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
  // Totals are the server's: the page never adds prices up.
  $("#cart").replaceChildren(...cartView(cart, cartAction));
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
  $("#compare-go").addEventListener("click", runCompare);
  $("#compare-clear").addEventListener("click", () => {
    state.compare.clear();
    for (const box of document.querySelectorAll(".product-card .cmp")) box.checked = false;
    renderCompareBar();
  });
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
