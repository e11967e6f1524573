// Accessible names for the workbook's widgets (utils/a11y.py runs it in each panel).
//
// ipywidgets 8.1 draws a slider with noUiSlider: the handle (role="slider") has no name,
// its <label> is not linked to it, and a log slider's aria-valuetext is the exponent.
// This names each handle by its description (aria-labelledby) and gives it the value shown
// in the readout (kept up to date even when hidden). It also keeps JupyterLab's command-mode
// shortcuts off the handles and tab bars of our widgets: otherwise the arrow keys that move
// a slider also move the notebook's cursor or collapse its heading. Idempotent; it runs from
// a11y_script(), an Output inside each panel (JupyterLab trusts widget outputs).
(() => {
  const key = "__workbookSliderNames";
  if (window[key]) { window[key](); return; }
  let count = 0, timer = null;
  const name = () => {
    timer = null;
    for (const slider of document.querySelectorAll(".widget-slider, .jupyter-widget-slider")) {
      const label = slider.querySelector(":scope > .widget-label");
      const readout = slider.querySelector(":scope > .widget-readout");
      const text = label ? label.textContent.trim() : "";
      for (const handle of slider.querySelectorAll(".noUi-handle")) {
        if (text) {
          if (!label.id) label.id = "workbook-slider-label-" + (++count);
          if (handle.getAttribute("aria-labelledby") !== label.id)
            handle.setAttribute("aria-labelledby", label.id);
        } else if (slider.title && handle.getAttribute("aria-label") !== slider.title) {
          handle.setAttribute("aria-label", slider.title);
        }
        const value = readout ? readout.textContent.trim() : "";
        if (value && handle.getAttribute("aria-valuetext") !== value)
          handle.setAttribute("aria-valuetext", value);
        if (!handle.hasAttribute("data-lm-suppress-shortcuts"))
          handle.setAttribute("data-lm-suppress-shortcuts", "true");
      }
    }
    // A text box without a description is labelled by an empty hidden <label>, which hides
    // its tooltip from the name: name it by the tooltip.
    for (const input of document.querySelectorAll(".workbook-a11y input[title]"))
      if (input.getAttribute("aria-label") !== input.title)
        input.setAttribute("aria-label", input.title);
    for (const status of document.querySelectorAll(".workbook-a11y .panel-status .widget-html-content"))
      if (!status.hasAttribute("aria-live")) {  // "run 3: ok" is read out when it changes
        status.setAttribute("role", "status");
        status.setAttribute("aria-live", "polite");
      }
    for (const bar of document.querySelectorAll(".workbook-a11y .lm-TabBar"))
      if (!bar.hasAttribute("data-lm-suppress-shortcuts"))
        bar.setAttribute("data-lm-suppress-shortcuts", "true");
  };
  // A button disabled while it has the focus (Train, during a run) loses it to the page:
  // give it back when the button is enabled again, unless the focus went elsewhere.
  let focused = null, parked = null;
  document.addEventListener("focusin", (event) => {
    focused = event.target.closest && event.target.closest(".workbook-a11y") ? event.target : null;
  }, true);
  const refocus = (records) => {
    for (const record of records) {
      const button = record.target;
      if (record.attributeName !== "disabled" || button.tagName !== "BUTTON") continue;
      const away = !document.activeElement || document.activeElement === document.body;
      if (button.disabled && button === focused && (away || document.activeElement === button)) parked = button;
      else if (!button.disabled && button === parked) {
        parked = null;
        if (away) button.focus();
      }
    }
  };
  window[key] = name;
  new MutationObserver((records) => {
    refocus(records);
    if (!timer) timer = setTimeout(name, 30);
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
                             attributeFilter: ["aria-valuenow", "disabled"]});
  name();
})();
