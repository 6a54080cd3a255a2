// The API documentation page: Swagger UI leaves its server and example pickers without an accessible name
// (swagger-api/swagger-ui#8172). Name them, in Swagger UI's own words, whenever it draws them.
(function () {
  "use strict";
  var names = { "#servers": "Servers", ".examples-select-element": "Examples" };
  function nameThem() {
    Object.keys(names).forEach(function (selector) {
      document.querySelectorAll(selector + ":not([aria-label])").forEach(function (select) {
        select.setAttribute("aria-label", names[selector]);
      });
    });
  }
  new MutationObserver(nameThem).observe(document.documentElement, { childList: true, subtree: true });
})();
