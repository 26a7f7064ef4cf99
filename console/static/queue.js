// The queue: a click anywhere on a row (not on its links or checkbox) opens the request.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var row = event.target.closest ? event.target.closest('tr[data-testid="queue-row"]') : null;
    if (!row || event.target.closest("a, input, label, button, select")) {
      return;
    }
    var href = row.getAttribute("data-href");
    if (href) {
      window.location.assign(href);
    }
  });
})();
