// Draws every <script type="application/json" class="plotly-figure" data-target="id"> with
// plotly.js; kept in a file so that the Content-Security-Policy needs no inline scripts.
// One chart a frame, with a paint between: the first chart shows as soon as it is drawn, not
// once every chart of the page is, and the page stays responsive meanwhile.
(function () {
  var queue = [];

  function drawOne(node) {
    var target = document.getElementById(node.dataset.target);
    if (!node.isConnected || !target || target.dataset.drawn) { return; }
    var figure = JSON.parse(node.textContent);
    window.Plotly.newPlot(target, figure.data, figure.layout,
      { responsive: true, displaylogo: false, displayModeBar: false });
    target.dataset.drawn = "1";
  }

  function drawNext() {
    drawOne(queue.shift());
    if (queue.length) {
      window.requestAnimationFrame(function () { window.setTimeout(drawNext, 0); });
    }
  }

  function draw(root) {
    if (!window.Plotly) { return; }
    var idle = queue.length === 0;
    root.querySelectorAll("script.plotly-figure").forEach(function (node) { queue.push(node); });
    if (idle && queue.length) { drawNext(); }
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
