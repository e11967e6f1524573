// The static explorer's slider handler (utils/explorer_html.py inlines it in each explorer).
// Plotly's own sliders move one parameter each and cannot combine several: this looks up
// the combination of all sliders and calls Plotly.react with its precomputed traces, and
// writes that run's numbers under the figure. explorer_html fills in the two placeholders
// between @ signs: the explorer's id and the colour of a stopped run's numbers.
// Plotly.js loads with `defer`, so the handler may wait for DOMContentLoaded.
(function () {
  var root = document.getElementById("@ID@");
  var data = JSON.parse(root.querySelector(".explorer-data").textContent);
  var sliders = root.querySelectorAll(".explorer-slider");
  var shown = root.querySelectorAll(".explorer-value");
  var plot = root.querySelector(".explorer-figure");
  var numbers = root.querySelector(".explorer-numbers");
  function copy(x) { return JSON.parse(JSON.stringify(x)); }
  function draw() {
    var key = [];
    for (var i = 0; i < sliders.length; i++) {
      key.push(sliders[i].value);
      shown[i].textContent = data.params[i].text[+sliders[i].value];
      sliders[i].setAttribute("aria-valuetext", shown[i].textContent);
    }
    var run = data.runs[key.join("-")];
    window.Plotly.react(plot, copy(data.static.concat(run.traces)),
                        copy(data.layout), data.config);
    numbers.textContent = run.numbers;
    numbers.style.color = run.ok ? "" : "@WARNING@";
  }
  function start() {
    if (!window.Plotly) {
      plot.textContent = "Plotly.js did not load: the explorer cannot draw.";
      return;
    }
    plot.textContent = "";
    for (var i = 0; i < sliders.length; i++) {
      sliders[i].addEventListener("input", draw);
    }
    draw();
  }
  if (window.Plotly || document.readyState !== "loading") { start(); }
  else { document.addEventListener("DOMContentLoaded", start); }
})();
