/* The book's own script (registered in book/_config.yml): accessibility
   repairs of what the ipywidgets manager draws from a page's saved widget
   state (the labs' panels, shown without a kernel), and explorers redrawn
   at the paper's width when a page is printed.  The repairs of the static
   markup are done at build time (book/_ext/offline_assets.py); every page
   is audited with axe-core by tests/test_book_browser.py. */
(function () {
  "use strict";
  var counter = 0;

  function id(element) {
    if (!element.id) { element.id = "workbook-a11y-" + (++counter); }
    return element.id;
  }

  /* The alt texts the labs stored with their figures (utils.plots.show puts
     it in the output's metadata), by the image's data, from the widget
     state of the page: the manager draws output widgets' images without. */
  var altByData = null;
  function storedAlts() {
    if (altByData) { return altByData; }
    altByData = {};
    document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-state+json"]')
      .forEach(function (script) {
        var state;
        try { state = JSON.parse(script.textContent).state || {}; }
        catch (e) { return; }
        Object.keys(state).forEach(function (key) {
          (state[key].state.outputs || []).forEach(function (output) {
            var data = output.data || {}, meta = output.metadata || {};
            Object.keys(data).forEach(function (mime) {
              var alt = (meta[mime] || {}).alt || meta.alt;
              if (mime.indexOf("image/") === 0 && alt) {
                altByData[String(data[mime]).replace(/\s/g, "").slice(0, 400)] = alt;
              }
            });
          });
        });
      });
    return altByData;
  }

  function repair(root) {
    /* Sliders (noUiSlider handles) are named by their widget's label. */
    root.querySelectorAll(".widget-slider [role=slider], .widget-hslider [role=slider], .widget-vslider [role=slider]")
      .forEach(function (handle) {
        if (handle.getAttribute("aria-label") || handle.getAttribute("aria-labelledby")) { return; }
        var widget = handle.closest(".widget-slider, .widget-hslider, .widget-vslider");
        var label = widget && widget.querySelector(".widget-label");
        if (label && label.textContent.trim()) {
          handle.setAttribute("aria-labelledby", id(label));
        }
      });
    /* A slider's editable readout is a text box named after it too. */
    root.querySelectorAll(".widget-readout[contenteditable]").forEach(function (readout) {
      if (readout.getAttribute("aria-label")) { return; }
      var widget = readout.closest(".jupyter-widgets");
      var label = widget && widget.querySelector(".widget-label");
      readout.setAttribute("role", "textbox");
      readout.setAttribute("aria-label",
        ((label && label.textContent.trim()) || "value") + ": value");
    });
    /* Images the manager drew: the alt text the lab stored with them. */
    root.querySelectorAll(".jp-RenderedImage img:not([alt])").forEach(function (img) {
      var data = (img.getAttribute("src") || "").replace(/^data:[^,]*,/, "");
      var alt = storedAlts()[data.replace(/\s/g, "").slice(0, 400)];
      if (alt) { img.setAttribute("alt", alt); }
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(document); });
  }

  function start() {
    repair(document);
    new MutationObserver(schedule).observe(document.body,
      {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }

  /* Printing: Plotly draws at the width the screen gave it; redraw each
     explorer at the paper's width, and back at the screen's after. */
  function resizeExplorers() {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".workbook-explorer .explorer-figure")
      .forEach(function (plot) {
        if (plot.querySelector(".main-svg")) { window.Plotly.Plots.resize(plot); }
      });
  }
  window.addEventListener("beforeprint", resizeExplorers);
  window.addEventListener("afterprint", resizeExplorers);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) { print.addEventListener("change", resizeExplorers); }
  }
})();
