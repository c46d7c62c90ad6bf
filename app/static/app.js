// Keyboard and screen-reader care for htmx updates. Pages work without this file.
document.addEventListener("htmx:afterSwap", (event) => {
  // A pagination link that replaced the results is gone from the page: move focus to the
  // results heading so keyboard users continue from the top of the new page of results.
  const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (trigger && !document.body.contains(trigger)) {
    const heading = document.getElementById("results-heading");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
});

// The filters' fold keeps its state when the results and filters are swapped in place (the
// server always sends it folded): open while a reader works through the filters on a phone.
let filtersOpen = null;
document.addEventListener("htmx:beforeSwap", () => {
  const panel = document.getElementById("filters-panel");
  filtersOpen = panel ? panel.open : null;
});
document.addEventListener("htmx:afterSwap", () => {
  const panel = document.getElementById("filters-panel");
  if (panel && filtersOpen !== null) panel.open = filtersOpen;
});

// "Add another outcome" (or source practice) swaps its section in place: continue in the
// new row's first field, as the page without JavaScript lands on it.
document.addEventListener("htmx:afterSwap", (event) => {
  const swapped = event.detail.target;
  if (!swapped || !["evidence-section", "lineage-section"].includes(swapped.id)) return;
  // Swapped outerHTML: the target is the old section; read the new one from the page.
  const section = document.getElementById(swapped.id);
  const row = section && section.querySelector("#new-outcome, #new-source-practice");
  const field = row && row.querySelector("input, textarea, select");
  if (field) field.focus();
});
