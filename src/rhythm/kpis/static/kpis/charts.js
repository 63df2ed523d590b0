// The dashboards' charts (Chart.js, from npm): each <canvas data-chart> draws the
// JSON beside it (json_script), the same figures as the table under it. Runs again
// when htmx swaps a page in, so it draws only the canvases not drawn yet.
(function () {
  "use strict";
  var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997"];

  function draw(canvas) {
    if (canvas.dataset.chartReady || typeof Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var kind = canvas.dataset.chart;
    data.datasets.forEach(function (set, i) {
      var colour = palette[i % palette.length];
      set.backgroundColor = kind === "line" ? colour : colour + "cc";
      set.borderColor = colour;
      set.borderWidth = kind === "line" ? 2 : 0;
      set.tension = 0.2;
      set.spanGaps = true;
    });
    var chart = new Chart(canvas, {
      type: kind,
      data: data,
      options: {
        animation: reduced ? false : { duration: 300 },
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: data.datasets.length > 1, position: "bottom" } },
        scales: { y: { beginAtZero: true } },
      },
    });
    canvas.dataset.chartReady = "1";
    canvas.dataset.points = String(
      chart.data.datasets.reduce(function (n, set) {
        return n + set.data.filter(function (v) { return v !== null; }).length;
      }, 0)
    );
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  drawAll();
  document.addEventListener("htmx:afterSettle", drawAll);
})();
