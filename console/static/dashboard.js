// The dashboard's trend chart: Chart.js drawing the data of <script id="dashboard-data">.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("dashboard-chart");
    var source = document.getElementById("dashboard-data");
    if (!canvas || !source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var colours = ["#0b5cad", "#1a7f37", "#8a5a00", "#b42318"];
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.values,
            borderColor: colours[index % colours.length],
            backgroundColor: colours[index % colours.length],
            borderWidth: 2,
            pointRadius: 2,
            tension: 0
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
