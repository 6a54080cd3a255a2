// The e-card page: a new signed code every minute (the QR code is drawn by the server), and the name and numbers
// shown only while the holder wants them. Without this script the page still works: "New code" reloads it and
// "Show" is a form.
(function () {
  "use strict";

  function parseSvg(text) {
    var doc = new DOMParser().parseFromString(text, "image/svg+xml");
    var svg = doc.documentElement;
    return svg && svg.nodeName.toLowerCase() === "svg" ? document.importNode(svg, true) : null;
  }

  function clock(iso) {
    var date = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function startCodes(box) {
    var seconds = parseInt(box.dataset.refresh, 10) || 60;
    var qr = box.querySelector(".ecard-qr-box");
    var expiry = box.querySelector("[data-expiry]");
    var countdown = box.querySelector("[data-countdown]");
    var next = Date.now() + seconds * 1000;
    var loading = false;

    function load() {
      if (loading) { return; }
      loading = true;
      next = Date.now() + seconds * 1000;
      fetch(box.dataset.codeUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 409 || response.status === 404) {
            window.location.reload();  // the card was reported lost meanwhile: the page says so
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) { return; }
          var svg = parseSvg(data.qr_svg);
          if (svg) { qr.replaceChildren(svg); }
          expiry.setAttribute("datetime", data.expires_at);
          expiry.textContent = clock(data.expires_at);
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ })
        .then(function () { loading = false; });
    }

    function tick() {
      var left = Math.max(0, Math.round((next - Date.now()) / 1000));
      countdown.textContent = box.dataset.msgCountdown.replace("%(seconds)s", left);
      if (left === 0) { load(); }
    }

    box.querySelector("[data-refresh-now]").addEventListener("click", function (event) {
      event.preventDefault();
      load();
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && Date.parse(expiry.getAttribute("datetime")) < Date.now()) { load(); }
    });
    tick();
    window.setInterval(tick, 1000);
  }

  function startShowing(button) {
    var details = document.querySelector("[data-details-url]");
    var fields = details.querySelectorAll("[data-field]");
    var hideTimer = null;

    function hide() {
      fields.forEach(function (field) { field.textContent = field.dataset.masked; });
      button.textContent = button.dataset.labelShow;
      button.value = "1";
      delete button.dataset.shown;
      window.clearTimeout(hideTimer);
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (button.dataset.shown) { hide(); return; }
      fetch(details.dataset.detailsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var values = { name: data.holder_name, number: data.social_security_number, card_number: data.card_number };
          fields.forEach(function (field) { field.textContent = values[field.dataset.field]; });
          button.textContent = button.dataset.labelHide;
          button.value = "0";
          button.dataset.shown = "1";
          hideTimer = window.setTimeout(hide, 60000);  // masked again after a minute, as on the national app
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-code-url]");
    if (box) { startCodes(box); }
    var toggle = document.querySelector("[data-show-toggle]");
    if (toggle && !toggle.dataset.shown) { startShowing(toggle); }
  });
})();
