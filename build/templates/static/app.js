// Enhancements only: every page works without this file.
(function () {
  "use strict";
  // A login or submit button sends once: a double click must not count twice (REG-5).
  document.querySelectorAll("button[data-once]").forEach(function (button) {
    button.form && button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  // Declaring-unit fuzzy search (DEC-4): fill the datalist from the server as the user types.
  document.querySelectorAll("input[data-search=units]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (!q || !list) { return; }
        fetch("/units/search?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { units: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.units.forEach(function (u) {
              var option = document.createElement("option");
              option.value = u.name;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });
})();
