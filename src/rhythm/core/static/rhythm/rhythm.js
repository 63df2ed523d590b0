// Rhythm's few behaviours on top of htmx and Bootstrap.

// A filter form marked data-drop-defaults sends only what narrows the list, so
// the address it pushes stays short and shareable: empty fields and fields left
// at their data-default value are left out of the request.
document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-drop-defaults")) return;
  for (const field of form.elements) {
    if (!field.name) continue;
    const fallback = field.dataset.default ?? "";
    if (field.value === "" || field.value === fallback) delete event.detail.parameters[field.name];
  }
});

// Back and Forward restore a list from htmx's snapshot of the page, whose fields
// show what the page was first rendered with, not the filters of the address now
// shown. Set them from the address, so the fields and the list agree again.
function syncFiltersWithAddress() {
  const params = new URLSearchParams(window.location.search);
  for (const form of document.querySelectorAll("form[data-drop-defaults]")) {
    for (const field of form.elements) {
      if (!field.name || field.type === "submit") continue;
      field.value = params.get(field.name) ?? field.dataset.default ?? "";
    }
  }
}
document.addEventListener("htmx:historyRestore", syncFiltersWithAddress);
window.addEventListener("pageshow", (event) => { if (event.persisted) syncFiltersWithAddress(); });

// A button with data-confirm asks before it submits (removing a playbook step).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// "Add a stakeholder": a formset's button[data-add-row] copies the last row of its
// rows (emptied, renumbered) and counts it in the management form, up to its max.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const rows = document.querySelector(button.dataset.addRow);
  const prefix = button.dataset.prefix;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const max = Number(document.getElementById(`id_${prefix}-MAX_NUM_FORMS`).value);
  const count = Number(total.value);
  if (!rows || !rows.lastElementChild || count >= max) return;
  const row = rows.lastElementChild.cloneNode(true);
  row.querySelectorAll("ul.errorlist").forEach((list) => list.remove());
  for (const input of row.querySelectorAll("input")) {
    input.value = "";
    input.removeAttribute("aria-invalid");
    for (const attr of ["name", "id"]) {
      input.setAttribute(attr, input.getAttribute(attr).replace(`${prefix}-${count - 1}-`, `${prefix}-${count}-`));
    }
    const label = input.getAttribute("aria-label");
    if (label) input.setAttribute("aria-label", label.replace(/\d+/, String(count + 1)));
  }
  rows.append(row);
  total.value = count + 1;
  button.disabled = count + 1 >= max;
  row.querySelector("input").focus();
});

// A task ticked by keyboard keeps the focus: the row is swapped for a new one, so
// the focus goes to the new row's button (or its refusal) instead of the page.
document.addEventListener("htmx:afterSettle", (event) => {
  const id = event.detail.target && event.detail.target.id;
  if (!id || !id.startsWith("task-")) return;
  const row = document.getElementById(id);
  const control = row && row.querySelector("[data-testid=task-toggle]");
  if (control) control.focus();
});

// A link marked data-keeps-form="<selector>" leaves a half-filled form for a page
// that sends the person back to it (the request form's "add it to the success
// plan"): what was typed is kept in this tab's sessionStorage and put back, once,
// by the form marked data-restores-draft at the same address, so the way round
// loses nothing. A field the returning address names (?objective=, the one just
// made) keeps the address's value.
// In a block, and the listener added once: htmx runs this file again when it
// swaps in a page that loads it.
{
const DRAFT_PREFIX = "rhythm:draft:";
const KEPT_TYPES = new Set(["hidden", "submit", "button", "file", "password"]);
if (!window.rhythmKeepsForms) document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-keeps-form]");
  const form = link && document.querySelector(link.dataset.keepsForm);
  if (!form) return;
  const kept = {};
  for (const field of form.elements) {
    if (!field.name || KEPT_TYPES.has(field.type)) continue;
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked) (kept[field.name] ??= []).push(field.value);
    } else if (field.value !== "") {
      kept[field.name] = field.value;
    }
  }
  sessionStorage.setItem(DRAFT_PREFIX + window.location.pathname, JSON.stringify(kept));
});
for (const form of document.querySelectorAll("form[data-restores-draft]")) {
  const key = DRAFT_PREFIX + window.location.pathname;
  const raw = sessionStorage.getItem(key);
  if (!raw) continue;
  sessionStorage.removeItem(key);
  const kept = JSON.parse(raw);
  const given = new URLSearchParams(window.location.search);
  for (const field of form.elements) {
    if (!field.name || !(field.name in kept) || given.has(field.name) || KEPT_TYPES.has(field.type)) continue;
    if (field.type === "checkbox" || field.type === "radio") {
      field.checked = kept[field.name].includes(field.value);
      field.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (field.value === "") {
      field.value = kept[field.name];
    }
  }
}
window.rhythmKeepsForms = true;
}
