// Shows how the event form's date text is read while the editor types.
// The form works without this file: the same reading appears after saving.
(function () {
  "use strict";
  function init() {
    var input = document.querySelector("input[data-date-preview-url]");
    var output = document.querySelector(".field-date_interpretation .readonly");
    if (!input || !output) return;
    output.setAttribute("aria-live", "polite");
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var asked = ++latest;
        var url = input.dataset.datePreviewUrl + "?text=" + encodeURIComponent(input.value);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            // An older answer arriving late must not replace a newer one.
            if (asked !== latest) return;
            output.textContent = data.ok ? data.reading + " (stored as " + data.edtf + ")" : data.error;
            output.classList.toggle("errornote", !data.ok);
          })
          .catch(function () {});
      }, 250);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
