// Enhancements only: every page works without this file.
(function () {
  "use strict";
  // A login or submit button sends once: a double click must not count twice (REG-5).
  document.querySelectorAll("button[data-once]").forEach(function (button) {
    button.form && button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  // Cascading selects (DEC-3): narrow title/specialty to the chosen level and series at once.
  // Without this file the server narrows them when the section is saved (pages_support.options_for).
  var dictionaries = {};
  function loadDictionary(name) {
    if (!dictionaries[name]) {
      dictionaries[name] = fetch("/api/v1/dictionaries/" + encodeURIComponent(name))
        .then(function (r) { return r.ok ? r.json() : { entries: [] }; });
    }
    return dictionaries[name];
  }
  function valueOf(form, name) {
    var field = form.elements.namedItem(name);
    return field && field.value ? field.value : "";
  }
  function resolve(entry, path, form) {
    var node = entry;
    var parts = path.split(".");
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      var placeholder = /^\{(\w+)\}$/.exec(part);
      if (placeholder) {
        part = valueOf(form, placeholder[1]);
        if (!part) {  // not chosen yet: every option under every key
          return node && typeof node === "object" ? [].concat.apply([], Object.values(node)) : [];
        }
      }
      if (!node || typeof node !== "object" || !(part in node)) { return []; }
      node = node[part];
    }
    return Array.isArray(node) ? node : Object.keys(node || {});
  }
  document.querySelectorAll("select[data-options-from]").forEach(function (select) {
    var source = JSON.parse(select.getAttribute("data-options-from"));
    var form = select.form;
    if (!form || select.disabled) { return; }
    function refresh() {
      loadDictionary(source.dictionary).then(function (dictionary) {
        var key = valueOf(form, source.key);
        var options = [];
        (dictionary.entries || []).forEach(function (entry) {
          var value = typeof entry === "object" ? entry.value : entry;
          if (key && value !== key) { return; }
          resolve(entry, source.member_of, form).forEach(function (item) {
            if (options.indexOf(String(item)) < 0) { options.push(String(item)); }
          });
        });
        var current = select.value;
        while (select.options.length > 1) { select.remove(1); }
        options.forEach(function (item) {
          select.add(new Option(item, item, false, item === current));
        });
      });
    }
    (select.getAttribute("data-depends-on") || "").split(",").forEach(function (name) {
      var parent = name && form.elements.namedItem(name);
      if (parent) { parent.addEventListener("change", refresh); }
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
  // Select all on this page of a queue (issue 16); without this file each box is ticked by hand.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = function () { return all.form ? all.form.querySelectorAll("input[name='" + name + "']") : []; };
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
  });
  // Nothing typed is lost (issue 16): a section saves itself every few seconds while it has
  // changes and when the page is left; leaving with unsaved changes asks first. A save after the
  // session lapsed is kept by the server for the account and restored after the next login.
  var section = document.getElementById("section-form");
  if (section && section.hasAttribute("data-autosave")) {
    var dirty = false;
    var sending = false;
    var status = document.getElementById("autosave-status");
    var say = function (text, link) {
      if (!status) { return; }
      status.textContent = text;
      if (link) {
        var a = document.createElement("a");
        a.href = "/login";
        a.textContent = section.getAttribute("data-login-text");
        status.appendChild(document.createTextNode(" "));
        status.appendChild(a);
      }
    };
    var payload = function () {
      var data = new FormData(section);
      data.set("autosave", "1");
      return data;
    };
    var changed = function () { dirty = true; };
    section.addEventListener("input", changed);
    section.addEventListener("change", changed);
    section.addEventListener("submit", function () { dirty = false; });
    var autosave = function () {
      if (!dirty || sending) { return; }
      sending = true;
      dirty = false;
      fetch(section.action, { method: "POST", body: payload(), credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) {
            say(section.getAttribute("data-lapsed-text"), true);
          } else if (r.ok) {
            r.json().then(function (body) {  // the form's version follows its own saves (issue 13)
              var version = section.querySelector("input[name=version]");
              if (version && body.version !== undefined) { version.value = body.version; }
            });
            var now = new Date();
            say(section.getAttribute("data-saved-text") + " " + now.toTimeString().slice(0, 5));
          } else {
            dirty = true;
            say(section.getAttribute("data-failed-text"));
          }
        })
        .catch(function () { dirty = true; say(section.getAttribute("data-failed-text")); })
        .then(function () { sending = false; });
    };
    window.setInterval(autosave, 5000);
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty && navigator.sendBeacon) {
        navigator.sendBeacon(section.action, payload());
        dirty = false;
      }
    });
  }
})();
