// Small progressive enhancements; every check here is repeated on the server.
(function () {
  "use strict";
  var MAX_BYTES = 40 * 1024, WIDTH = 358, HEIGHT = 441;

  function show(box, text, ok) {
    box.textContent = text;
    box.className = "photo-check " + (ok ? "ok" : "error");
  }

  function checkPhoto(input, box) {
    var file = input.files && input.files[0];
    if (!file) { box.textContent = ""; return; }
    var reader = new FileReader();
    reader.onload = function () {
      var bytes = new Uint8Array(reader.result.slice(0, 3));
      if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) { show(box, box.dataset.msgType, false); return; }
      if (file.size > MAX_BYTES) {
        // exact bytes, as the server says them: "41,000 bytes; the limit is 40 KB = 40,960 bytes"
        show(box, box.dataset.msgSize.replace("%(size)s", file.size.toLocaleString("en-US")), false);
        return;
      }
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        if (img.naturalWidth !== WIDTH || img.naturalHeight !== HEIGHT) {
          show(box, box.dataset.msgDims + " " + img.naturalWidth + " × " + img.naturalHeight + ".", false);
        } else { show(box, box.dataset.msgOk, true); }
      };
      img.onerror = function () { URL.revokeObjectURL(url); show(box, box.dataset.msgType, false); };
      img.src = url;
    };
    reader.readAsArrayBuffer(file);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".photo-check[data-for]").forEach(function (box) {
      var input = document.getElementById(box.dataset.for);
      if (input) { input.addEventListener("change", function () { checkPhoto(input, box); }); }
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  });
})();
