// Enhancement only: shows, hides and marks fields from the form's own rules (the form's
// data-client attribute is generated from shown_when and required-if; nothing here is
// policy). Without this file every field shows and the server judges (ARCHITECTURE:
// one rule, server and browser). Conditions mean what vocabulary/conditions.py says.
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form || !form.getAttribute("data-client")) { return; }
  var client = JSON.parse(form.getAttribute("data-client"));

  function filled(value) { return value !== undefined && value !== null && String(value).trim() !== ""; }
  function passes(test, value) {
    var text = value === undefined || value === null ? "" : String(value);
    if (test === null || typeof test !== "object") { return text === String(test); }
    return Object.keys(test).every(function (op) {
      var operand = test[op];
      if (op === "in") { return operand.map(String).indexOf(text) >= 0; }
      if (op === "not_in") { return operand.map(String).indexOf(text) < 0; }
      if (op === "not") { return text !== String(operand); }
      if (op === "filled") { return filled(value) === Boolean(operand); }
      return true;
    });
  }
  function holds(condition, read) {
    if (!condition) { return true; }
    return Object.keys(condition).every(function (name) { return passes(condition[name], read(name)); });
  }
  function mark(label, required) {
    if (!label) { return; }
    var star = label.querySelector(".req[data-conditional]");
    if (required && !star) {
      star = document.createElement("span");
      star.className = "req";
      star.setAttribute("data-conditional", "");
      star.textContent = "*";
      label.appendChild(star);
    } else if (!required && star) {
      star.remove();
    }
  }
  function apply(scope, read, container, find) {
    var rules = client[scope] || {};
    Object.keys(rules.shown_when || {}).forEach(function (name) {
      var box = find(name);
      if (box) {
        var shown = holds(rules.shown_when[name], read);
        if (box.tagName === "TD") {
          box.style.visibility = shown ? "" : "hidden";  // keep the row's columns aligned
        } else {
          box.hidden = !shown;
          box.style.display = shown ? "" : "none";  // the stylesheet's display beats [hidden]
        }
      }
    });
    Object.keys(rules.required_when || {}).forEach(function (name) {
      var input = container.querySelector("[name$='" + name + "']");
      var needed = rules.required_when[name].some(function (when) { return holds(when, read); });
      var box = find(name);
      if (input) { input.setAttribute("aria-required", needed ? "true" : "false"); }
      if (scope === "fields" && box) { mark(box.querySelector("label"), needed); }
    });
  }
  function refresh() {
    apply("fields", function (name) {
      var field = form.elements.namedItem(name);
      return field ? field.value : "";
    }, form, function (name) { return form.querySelector("[data-field='" + name + "']"); });
    form.querySelectorAll("tr[data-row]").forEach(function (tr) {
      apply("rows", function (name) {
        var field = tr.querySelector("[name$='." + name + "']");
        return field ? field.value : "";
      }, tr, function (name) { return tr.querySelector("[data-column='" + name + "']"); });
    });
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();

  // A cascade key (a series) is offered only when its cascade has options for the chosen
  // parents (a level): never a series without titles at that level (DEC-3).
  form.querySelectorAll("select[data-options-nonempty]").forEach(function (select) {
    var spec = JSON.parse(select.getAttribute("data-options-nonempty"));
    var all = Array.prototype.slice.call(select.options, 1).map(function (o) { return o.value; });
    function member(entry, path) {
      var node = entry;
      var parts = path.split(".");
      for (var i = 0; i < parts.length; i++) {
        var part = parts[i];
        var placeholder = /^\{(\w+)\}$/.exec(part);
        if (placeholder) {
          var field = form.elements.namedItem(placeholder[1]);
          part = field ? field.value : "";
          if (!part) { return true; }  // parent not chosen yet: keep every option
        }
        if (!node || typeof node !== "object" || !(part in node)) { return false; }
        node = node[part];
      }
      return Array.isArray(node) ? node.length > 0 : Boolean(node);
    }
    fetch("/api/v1/dictionaries/" + encodeURIComponent(spec.dictionary))
      .then(function (r) { return r.ok ? r.json() : { entries: [] }; })
      .then(function (dictionary) {
        var byValue = {};
        (dictionary.entries || []).forEach(function (e) { byValue[typeof e === "object" ? e.value : e] = e; });
        function narrow() {
          var current = select.value;
          while (select.options.length > 1) { select.remove(1); }
          all.forEach(function (value) {
            var entry = byValue[value];
            if (entry && spec.paths.every(function (p) { return member(entry, p); })) {
              select.add(new Option(value, value, false, value === current));
            }
          });
          if (select.value !== current) { select.dispatchEvent(new Event("change", { bubbles: true })); }
        }
        (select.getAttribute("data-depends-on") || "").split(",").forEach(function (name) {
          var parent = name && form.elements.namedItem(name);
          if (parent) { parent.addEventListener("change", narrow); }
        });
        narrow();
      });
  });
}());
