// The dry run of a large roster runs as a job: poll its progress and reload the page when it is done.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("progress");
    if (!box || !box.dataset.url) { return; }
    var bar = document.getElementById("progress-bar");
    var checked = document.getElementById("rows-checked");
    var total = document.getElementById("total-rows");
    function poll() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          bar.value = data.percent;
          checked.textContent = data.rows_checked;
          total.textContent = data.total_rows;
          if (data.state !== "checking") { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  });
})();
