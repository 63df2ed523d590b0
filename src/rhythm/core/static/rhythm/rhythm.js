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
