// Small behaviours of every page, without inline script (the Content-Security-Policy allows
// scripts from this site only).
(function () {
  // a select that submits its form when changed (the period and window pickers)
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });
  // the unit filter above a dispatch form's unit list
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input.unit-filter")) { return; }
    var select = input.nextElementSibling, q = input.value;
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i];
      option.hidden = Boolean(q) && option.text.indexOf(q) < 0;
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
  // a survey slip's QR code opens /vote/#CODE: the code fills the field, and leaves the
  // address (a fragment never reaches the server or its logs)
  var code = document.getElementById("id_code");
  var hash = window.location.hash.replace("#", "").toUpperCase();
  if (code && /^[A-Z0-9]{6,12}$/.test(hash)) {
    code.value = hash;
    window.history.replaceState(null, "", window.location.pathname);
  }
})();
