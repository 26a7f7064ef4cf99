// Santrade Service console: small behaviours shared by every page (no inline scripts: CSP).
(function () {
  "use strict";
  // A "select all" checkbox: <input type="checkbox" data-select-all="name-of-row-checkboxes">
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-select-all]")) {
      var name = box.getAttribute("data-select-all");
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (each) {
        each.checked = box.checked;
      });
    }
  });
  // A button that asks first: <button data-confirm="text">
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
