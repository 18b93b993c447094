// Small behaviours of every page, without inline script (the Content-Security-Policy allows
// scripts from this site only).
(function () {
  // a select that submits its form when changed (the period and window pickers)
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });
  // the filter above a unit picker (a select, or a list of checkboxes): by name, or by the
  // pinyin initials of the name (zjj finds 住建局)
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input.unit-filter")) { return; }
    var picker = document.getElementById(input.dataset.for) || input.nextElementSibling;
    var q = input.value.trim();
    var lower = q.toLowerCase();
    var items = picker.tagName === "SELECT" ? picker.options : picker.querySelectorAll("label");
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var text = item.textContent || "";
      var initials = item.dataset.initials || "";
      var checked = item.querySelector && item.querySelector("input:checked");
      item.hidden = Boolean(q) && !checked && text.indexOf(q) < 0 && initials.indexOf(lower) < 0;
    }
  });
  // a suggested category fills the category fields of the page
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".pick-category");
    if (!button) { return; }
    document.querySelectorAll("input.category-code, #id_category").forEach(function (field) {
      field.value = button.dataset.code;
    });
  });
  // a patrol report may carry where the worker stands, if the browser and the worker allow it
  var locate = document.getElementById("locate");
  if (locate) {
    locate.addEventListener("click", function () {
      var status = document.getElementById("locate-status");
      if (!navigator.geolocation) { status.textContent = "此浏览器不能定位"; return; }
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (where) {
        document.getElementById(locate.dataset.lat).value = where.coords.latitude.toFixed(6);
        document.getElementById(locate.dataset.lon).value = where.coords.longitude.toFixed(6);
        status.textContent = "已附位置（精度约 " + Math.round(where.coords.accuracy) + " 米）";
      }, function () {
        status.textContent = "未能定位（未允许或没有信号），可只填写具体位置";
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }
  // 使用我的位置 on the resident form: the browser's position (with permission) and the
  // address typed so far fill the place picker, which the resident checks before sending
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#use-location");
    if (!button) { return; }
    var note = document.getElementById("locate-note");
    if (!navigator.geolocation) { note.textContent = button.dataset.failed; return; }
    note.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (where) {
      var field = function (id) { var el = document.getElementById(id); return el ? el.value : ""; };
      var query = new URLSearchParams({
        lat: where.coords.latitude.toFixed(6),
        lon: where.coords.longitude.toFixed(6),
        address: field("id_address"),
        content: field("id_content")
      });
      htmx.ajax("GET", button.dataset.url + "?" + query.toString(), {target: "#place", swap: "outerHTML"});
    }, function () {
      note.textContent = button.dataset.failed;
      note.className = "error";
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
  // an error goes away once its field is changed: its message beside the field and its line
  // in the summary at the top of the form
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.id || !field.closest || !field.closest("form")) { return; }
    var next = field.parentNode.querySelector("#" + field.id + " ~ .errorlist");
    if (next) { next.remove(); }
    var line = document.querySelector('#error-summary li[data-for="' + field.id + '"]');
    if (line) {
      line.remove();
      var summary = document.getElementById("error-summary");
      if (summary && !summary.querySelector("li")) { summary.remove(); }
    }
  });
  // the print button of a notice
  var printButton = document.getElementById("print-page");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  // a survey slip's QR code opens /vote/#CODE: the code fills the field, and leaves the
  // address (a fragment never reaches the server or its logs)
  var code = document.getElementById("id_code");
  var hash = window.location.hash.replace("#", "").toUpperCase();
  if (code && /^[A-Z0-9]{6,12}$/.test(hash)) {
    code.value = hash;
    window.history.replaceState(null, "", window.location.pathname);
  }
})();
