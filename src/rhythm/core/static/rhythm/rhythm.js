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
