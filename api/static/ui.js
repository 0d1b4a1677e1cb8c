// Rendering for the chat page: product cards, option pickers, the details drawer, the
// comparison table and the cart. No framework: the page has a handful of views and every
// update replaces one small subtree, so a framework would cost more bytes than it saves.
// Everything here takes data and callbacks; app.js owns the API and the turns.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

const formats = new Map();

// Money arrives as a decimal string (or a number from an older server) with its currency;
// Intl formats strings exactly, in the shopper's locale and the catalog's currency.
export function money(value, currency) {
  if (value === null || value === undefined || value === "") return "";
  const cur = currency || "USD";
  try {
    if (!formats.has(cur)) {
      formats.set(cur, new Intl.NumberFormat(undefined, { style: "currency", currency: cur }));
    }
    return formats.get(cur).format(value);
  } catch (_) {
    return `${value} ${cur}`;
  }
}

function initials(title) {
  return (title || "?").split(/\s+/).slice(0, 2).map((w) => w[0] || "").join("").toUpperCase();
}

// A product picture, or a neutral tile with the title's initials when there is none or
// it fails to load (feeds often carry dead image links).
export function picture(src, title, cls = "pic") {
  const tile = el("div", { class: `${cls} noimg`, "aria-hidden": "true", text: initials(title) });
  if (!src) return tile;
  const img = el("img", { class: cls, src, alt: title, loading: "lazy", decoding: "async" });
  img.addEventListener("error", () => img.replaceWith(tile), { once: true });
  return img;
}

const ATTR_SKIP = new Set(["shape"]);

function attrText(v) {
  if (v === null || v === undefined || v === "") return "";
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "boolean") return v ? "Yes" : "No";
  return String(v);
}

function label(key) {
  const k = String(key).replace(/_/g, " ");
  return k.charAt(0).toUpperCase() + k.slice(1);
}

// One product card. `act(type, product)` runs a card action; `compare` tracks selection.
export function productCard(p, { act, onCompareToggle, comparing }) {
  const name = p.title;
  const attrs = Object.entries(p.attributes || {})
    .filter(([k, v]) => !ATTR_SKIP.has(k) && attrText(v))
    .slice(0, 3)
    .map(([k, v]) => el("li", {}, el("span", { class: "k", text: label(k) }), " ",
      el("span", { text: attrText(v) })));
  const pick = el("input", { type: "checkbox", class: "cmp", "aria-label": `Compare ${name}`,
    onchange: (e) => onCompareToggle(p, e.target.checked) });
  pick.checked = comparing;
  return el("li", { class: "product-card" },
    picture(p.image_url, name),
    el("h3", { class: "title", title: name, text: name }),
    el("p", { class: "price" }, money(p.price, p.currency),
      // on sale: the price before it, struck through and read out as such
      p.compare_at_price ? el("s", { class: "was", "aria-label": `was ${money(p.compare_at_price, p.currency)}`,
        text: money(p.compare_at_price, p.currency) }) : null),
    p.brand ? el("p", { class: "brand muted", text: p.brand }) : null,
    attrs.length ? el("ul", { class: "attrs", "aria-label": "Attributes" }, ...attrs) : null,
    p.in_stock === false ? el("p", { class: "oos", text: "Out of stock" }) : null,
    el("div", { class: "card-actions" },
      el("button", { type: "button", "aria-label": `Details of ${name}`,
        onclick: () => act("details", p) }, "Details"),
      el("button", { type: "button", class: "primary", "aria-label": `Add ${name} to cart`,
        disabled: p.in_stock === false, onclick: () => act("add", p) }, "Add"),
      el("button", { type: "button", "aria-label": `Similar to ${name}`,
        onclick: () => act("more_like_this", p) }, "Similar"),
      el("button", { type: "button", "aria-label": `Save ${name} to a board`,
        onclick: () => act("save", p) }, "Save"),
      el("label", { class: "cmp-label" }, pick, el("span", { text: "Compare" }))));
}

// --- variants and the option picker ------------------------------------------------------

export function optionNames(product) {
  const names = [];
  for (const v of product.variants || []) {
    for (const k of Object.keys(v.options || {})) if (!names.includes(k)) names.push(k);
  }
  return names;
}

function matches(v, chosen, skip) {
  return Object.entries(chosen).every(([k, val]) => k === skip || val == null
    || String(v.options[k]) === val);
}

// The picker: one radio group per option name, values without an available variant (given
// the other choices) disabled; price and stock of the chosen variant; quantity. Resolves with
// {variant_id, options, quantity} or null when cancelled.
export function pickOptions(dialog, product) {
  const names = optionNames(product);
  const variants = product.variants || [];
  const chosen = Object.fromEntries(names.map((n) => [n, null]));
  const groups = names.map((name, i) => {
    const values = [...new Set(variants.map((v) => v.options[name]).filter((x) => x != null))];
    const radios = values.map((val) => {
      const input = el("input", { type: "radio", name: `opt-${i}`, value: String(val) });
      input.addEventListener("change", () => { chosen[name] = String(val); refresh(); });
      return el("label", { class: "chip" }, input, el("span", { text: String(val) }));
    });
    return el("fieldset", { class: "opt" }, el("legend", { text: label(name) }), ...radios);
  });
  const qty = el("input", { type: "number", id: "pick-qty", min: "1", max: "20", value: "1",
    inputmode: "numeric" });
  const info = el("p", { class: "pick-info", "aria-live": "polite" });
  const submit = el("button", { type: "submit", class: "primary" }, "Add to cart");
  const cancel = el("button", { type: "button", value: "cancel" }, "Cancel");
  const form = el("form", { method: "dialog", class: "picker" },
    el("h2", { id: "dlg-title", text: `Add ${product.title}` }),
    ...groups,
    el("p", {}, el("label", { for: "pick-qty", text: "Quantity " }), qty),
    info, el("div", { class: "row" }, submit, cancel));

  function chosenVariant() {
    if (!names.length) return null;
    const hit = variants.filter((v) => v.available !== false && matches(v, chosen));
    return names.every((n) => chosen[n] !== null) && hit.length ? hit[0] : null;
  }
  function refresh() {
    groups.forEach((g, i) => {
      for (const input of g.querySelectorAll("input")) {
        const ok = variants.some((v) => v.available !== false
          && String(v.options[names[i]]) === input.value && matches(v, chosen, names[i]));
        input.disabled = !ok;
        input.parentElement.classList.toggle("off", !ok);
        if (!ok && input.checked) { input.checked = false; chosen[names[i]] = null; }
      }
    });
    const v = chosenVariant();
    const open = names.filter((n) => chosen[n] === null);
    if (!names.length) {
      info.textContent = `${money(product.price, product.currency)}`;
    } else if (v) {
      info.textContent = `${money(v.price ?? product.price, product.currency)} · in stock`;
    } else {
      info.textContent = `Choose ${open.map((n) => n).join(" and ")}.`;
    }
    submit.disabled = names.length > 0 && !v;
  }
  refresh();
  dialog.replaceChildren(form);
  dialog.setAttribute("aria-labelledby", "dlg-title");
  return new Promise((resolve) => {
    cancel.addEventListener("click", () => dialog.close("cancel"));
    dialog.addEventListener("close", () => {
      const v = chosenVariant();
      if (dialog.returnValue === "cancel" || (names.length && !v)) return resolve(null);
      const options = Object.fromEntries(Object.entries(chosen).filter(([, x]) => x !== null));
      resolve({ variant_id: v ? v.id : undefined, options,
        quantity: Math.max(1, Math.min(20, parseInt(qty.value, 10) || 1)) });
    }, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    const first = form.querySelector("input:not([disabled])");
    (first || submit).focus();
  });
}

// Which board to save to: resolves with the name, or null when cancelled.
export function askBoard(dialog, product, last) {
  const input = el("input", { id: "board-name", type: "text", maxlength: "80",
    required: true, autocomplete: "off", value: last || "favourites" });
  const cancel = el("button", { type: "button" }, "Cancel");
  dialog.replaceChildren(el("form", { method: "dialog", class: "picker" },
    el("h2", { id: "dlg-title", text: `Save ${product.title}` }),
    el("p", {}, el("label", { for: "board-name", text: "Board " }), input),
    el("div", { class: "row" }, el("button", { type: "submit", class: "primary" }, "Save"),
      cancel)));
  dialog.setAttribute("aria-labelledby", "dlg-title");
  return new Promise((resolve) => {
    cancel.addEventListener("click", () => dialog.close("cancel"));
    dialog.addEventListener("close", () => {
      const name = input.value.trim();
      resolve(dialog.returnValue === "cancel" || !name ? null : name);
    }, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    input.select();
  });
}

// --- the details drawer ------------------------------------------------------------------

export function showDetails(dialog, product, onAdd) {
  const names = optionNames(product);
  const images = (product.images || []).length ? product.images : [null];
  const rows = (product.variants || []).map((v) => el("tr", {},
    ...names.map((n) => el("td", { text: attrText(v.options[n]) })),
    el("td", { text: money(v.price ?? product.price, product.currency) }),
    el("td", { class: v.available === false ? "oos" : "", text: stockText(v) })));
  const attrs = Object.entries(product.attributes || {})
    .filter(([k, v]) => !ATTR_SKIP.has(k) && attrText(v))
    .map(([k, v]) => [el("dt", { text: label(k) }), el("dd", { text: attrText(v) })]).flat();
  const close = el("button", { type: "button", class: "close", onclick: () => dialog.close() },
    "Close");
  dialog.replaceChildren(el("div", { class: "drawer" },
    el("div", { class: "drawer-head" }, el("h2", { id: "dlg-title", text: product.title }), close),
    el("ul", { class: "gallery", "aria-label": "Images" },
      ...images.map((src, i) => el("li", {}, picture(src, `${product.title}, image ${i + 1}`)))),
    el("p", { class: "price", text: money(product.price, product.currency) }),
    product.brand ? el("p", { class: "muted", text: product.brand }) : null,
    product.description ? el("p", { class: "desc", text: product.description }) : null,
    attrs.length ? el("dl", { class: "specs" }, ...attrs) : null,
    rows.length ? el("table", { class: "variants" },
      el("caption", { text: "Options, prices and stock" }),
      el("thead", {}, el("tr", {}, ...names.map((n) => el("th", { scope: "col", text: label(n) })),
        el("th", { scope: "col", text: "Price" }), el("th", { scope: "col", text: "Stock" }))),
      el("tbody", {}, ...rows)) : null,
    el("div", { class: "row" }, el("button", { type: "button", class: "primary",
      disabled: product.in_stock === false || product.available === false,
      onclick: () => { dialog.close(); onAdd(product); } }, "Add to cart"))));
  dialog.setAttribute("aria-labelledby", "dlg-title");
  dialog.showModal();
  close.focus();
}

function stockText(v) {
  if (v.available === false) return "Out of stock";
  if (typeof v.quantity === "number") return `${v.quantity} in stock`;
  return "In stock";
}

// --- comparison --------------------------------------------------------------------------

export function compareTable(content) {
  const products = content.products || [];
  if (products.length < 2) return null;
  const attrs = content.attributes || {};
  const price = content.price || {};
  const head = el("tr", {}, el("th", { scope: "col", text: "" }),
    ...products.map((p) => el("th", { scope: "col", text: p.title })));
  const row = (name, cells) => el("tr", {}, el("th", { scope: "row", text: name }),
    ...cells.map((c) => el("td", { text: c })));
  const body = [row("Price", products.map((p) => money(price[p.id] ?? p.price, p.currency)))];
  for (const [key, byId] of Object.entries(attrs)) {
    const cells = products.map((p) => attrText(byId[p.id]));
    if (cells.some((c) => c)) body.push(row(label(key), cells.map((c) => c || "—")));
  }
  return el("div", { class: "compare-wrap", tabindex: "0", role: "region",
    "aria-label": "Comparison table" },
  el("table", { class: "compare" }, el("caption", { text: "Comparison" }),
    el("thead", {}, head), el("tbody", {}, ...body)));
}

// --- a look or gift set: its items as one group, with the server's total ------------------

export function lookGroup(look, onAdd) {
  const items = look.items.map((i) => {
    const opts = Object.entries(i.options || {}).map(([k, v]) => `${label(k)}: ${v}`).join(", ");
    return el("li", {}, el("span", { class: "title", text: i.title }),
      opts ? el("span", { class: "muted", text: ` (${opts})` }) : null,
      el("span", { class: "price", text: money(i.unit_price, i.currency) }));
  });
  return el("section", { class: "look", "aria-label": "Suggested look" },
    el("h3", { text: "The look" }),
    el("ul", {}, ...items),
    el("p", { class: "total" }, "Total ", el("strong", { text: money(look.total, look.currency) })),
    el("button", { type: "button", class: "primary", onclick: () => onAdd(look) },
      "Add the whole look to cart"));
}

// --- the cart ----------------------------------------------------------------------------

// a line's total at its price before the sale, in cents (exact: no float sums of money)
function wasTotal(l) {
  const [whole, frac = ""] = String(l.compare_at_price).split(".");
  const cents = (BigInt(whole) * 100n + BigInt((frac + "00").slice(0, 2))) * BigInt(l.quantity);
  const c = cents.toString().padStart(3, "0");
  return `${c.slice(0, -2)}.${c.slice(-2)}`;
}

export function cartView(cart, act) {
  if (!cart.lines || !cart.lines.length) {
    return [el("p", { class: "muted", text: "Your cart is empty." })];
  }
  const rows = cart.lines.map((l) => {
    const opts = Object.entries(l.options || {}).map(([k, v]) => `${label(k)}: ${v}`).join(", ");
    const name = l.title + (opts ? ` (${opts})` : "");
    return el("li", { class: "cart-line" },
      el("span", { class: "title", text: l.title }),
      opts ? el("span", { class: "muted opts", text: opts }) : null,
      el("span", { class: "price" }, money(l.line_total, l.currency),
        // added in a sale: the line at its price before it, struck through
        l.compare_at_price ? el("s", { class: "was",
          "aria-label": `was ${money(wasTotal(l), l.currency)}`,
          text: money(wasTotal(l), l.currency) }) : null),
      el("div", { class: "qty", role: "group", "aria-label": `Quantity of ${name}` },
        el("button", { type: "button", "aria-label": `One less ${name}`,
          onclick: () => act("update_quantity", l, l.quantity - 1) }, "−"),
        el("span", { class: "n", text: String(l.quantity) }),
        el("button", { type: "button", "aria-label": `One more ${name}`,
          onclick: () => act("update_quantity", l, l.quantity + 1) }, "+"),
        el("button", { type: "button", class: "link", "aria-label": `Remove ${name}`,
          onclick: () => act("remove", l) }, "Remove")));
  });
  return [
    el("ul", { class: "cart-lines" }, ...rows),
    el("p", { class: "total" }, `${cart.item_count} item${cart.item_count === 1 ? "" : "s"}, total `,
      el("strong", { text: money(cart.total, cart.currency) })),
    cart.savings ? el("p", { class: "savings", text: `You save ${money(cart.savings, cart.currency)}` }) : null,
    el("button", { type: "button", class: "primary checkout",
      onclick: () => act("checkout") }, "Check out"),
  ];
}
