// The account 360's tab bar scrolls sideways on a phone: keep the open tab in sight,
// on load and whenever HTMX swaps the bar (a click on a tab).
(() => {
  function showOpenTab() {
    const bar = document.querySelector("#account-tab-nav .nav");
    const open = bar && bar.querySelector(".active");
    if (!open || bar.scrollWidth <= bar.clientWidth) return;
    bar.scrollLeft = open.offsetLeft - (bar.clientWidth - open.offsetWidth) / 2;
  }
  document.addEventListener("DOMContentLoaded", showOpenTab);
  document.addEventListener("htmx:afterSettle", showOpenTab);
})();
