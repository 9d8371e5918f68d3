// Starts ReDoc on #redoc-container (timeline/api/redoc.html). A file, not an inline script,
// because the CSP allows none. The style elements ReDoc injects carry this script's nonce,
// which the page's CSP names for styles (timeline/api.py).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var options = JSON.parse(container.dataset.settings || "{}");
  options.nonce = document.currentScript.nonce;
  Redoc.init(container.dataset.specUrl, options, container);
})();
