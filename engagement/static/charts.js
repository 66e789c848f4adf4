// Draws every <script type="application/json" class="plotly-figure" data-target="id"> with
// plotly.js; kept in a file so that the Content-Security-Policy needs no inline scripts.
(function () {
  function draw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("script.plotly-figure").forEach(function (node) {
      var target = document.getElementById(node.dataset.target);
      if (!target || target.dataset.drawn) { return; }
      var figure = JSON.parse(node.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout,
        { responsive: true, displaylogo: false, displayModeBar: false });
      target.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
