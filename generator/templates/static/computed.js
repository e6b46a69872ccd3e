// Enhancement only: fills computed fields (DEC-8 聘任年限) as the applicant types. The form's
// data-client attribute carries, per computed field, the syntax tree the generator parsed
// from that field's own `computed` expression in schemas/ — the expression the server
// evaluates on every save (vocabulary/expr_eval.py, whose meaning this mirrors). Without
// this file the field stays as stored and the server computes it on save (ARCHITECTURE:
// one rule, server and browser). Anything this cannot work out leaves the field empty.
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form || !form.getAttribute("data-client")) { return; }
  var client = JSON.parse(form.getAttribute("data-client"));
  var year = parseInt(form.getAttribute("data-declaration-year") || "", 10);

  function when(text) {
    var ym = /^(\d{4})\.(\d{2})$/.exec(text);
    if (ym) {
      var y = +ym[1], m = +ym[2];
      return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 ? { year: y, month: m, day: null } : null;
    }
    var d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!d) { return null; }
    var date = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3]));
    if (date.getUTCMonth() !== +d[2] - 1) { return null; }  // not a real calendar date
    return { year: +d[1], month: +d[2], day: +d[3] };
  }
  function isWhen(v) { return v !== null && typeof v === "object" && "month" in v; }
  function key(a, b) {  // compared at the coarser precision of the two
    return a.day === null || b.day === null ? [a.year, a.month] : [a.year, a.month, a.day];
  }
  function cmp(a, b) {
    if (isWhen(a) && isWhen(b)) {
      var x = key(a, b), y = key(b, a);
      for (var i = 0; i < x.length; i++) { if (x[i] !== y[i]) { return x[i] < y[i] ? -1 : 1; } }
      return 0;
    }
    if (a === b) { return 0; }
    return a < b ? -1 : 1;
  }
  function value(input) {  // a field's value as the expression sees it (expr_eval.to_value)
    if (!input) { return null; }
    var text = String(input.value || "").trim();
    if (text === "") { return null; }
    var format = input.getAttribute("data-format");
    if (format === "year-month" || format === "date") { return when(text); }
    if (format === "year" || input.type === "number") { return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null; }
    return text;
  }
  function declaration(part) {
    if (part === "year") { return isNaN(year) ? null : year; }
    if (part === "year_end") { return isNaN(year) ? null : { year: year, month: 12, day: 31 }; }
    return null;
  }
  var functions = {
    years: function (a, b) {
      var n = b.year - a.year;
      if (b.month < a.month || (b.month === a.month && (b.day || 1) < (a.day || 1))) { n -= 1; }
      return Math.max(n, 0);
    },
    months: function (a, b) {
      var n = (b.year - a.year) * 12 + b.month - a.month;
      if (a.day !== null && b.day !== null && b.day < a.day) { n -= 1; }
      return Math.max(n, 0);
    },
    year: function (a) { return a.year; },
    service_years: function (a, b, gap) {
      var n = (b.year - a.year) * 12 + b.month - a.month;
      if ((b.day || 1) < (a.day || 1)) { n -= 1; }
      return Math.floor(Math.max(n - Math.trunc(gap), 0) / 12);
    },
    span: function (a, b) { return Math.max((b.year - a.year) * 12 + b.month - a.month + 1, 0); },
    full_years: function (months) { return Math.floor(Math.trunc(months) / 12); }
  };

  function evaluate(node, read) {
    if ("lit" in node) { return node.number ? Number(node.lit) : node.lit; }
    if ("list" in node) { return node.list.map(function (item) { return evaluate(item, read); }); }
    if ("path" in node) {
      return node.path[0] === "declaration" && node.path.length === 2 ? declaration(node.path[1]) : read(node.path);
    }
    if ("call" in node) {
      var args = node.args.map(function (arg) { return evaluate(arg, read); });
      if (node.call === "filled") { return args[0] !== null; }
      if (node.call === "service_years" && args[2] === null) { args[2] = 0; }  // no gap: nothing to deduct
      if (node.call === "span" && args[1] === null && args[0] !== null) { args[1] = args[2]; }  // open end
      if (!functions[node.call] || args.some(function (a) { return a === null; })) { return null; }
      return functions[node.call].apply(null, args);
    }
    if ("operand" in node) {
      var operand = evaluate(node.operand, read);
      if (operand === null) { return null; }
      return node.op === "not" ? !operand : (typeof operand === "number" ? -operand : null);
    }
    var left = evaluate(node.left, read), right = evaluate(node.right, read);
    if (node.op === "and") { return left === false || right === false ? false : (left === null || right === null ? null : true); }
    if (node.op === "or") { return left === true || right === true ? true : (left === null || right === null ? null : false); }
    if (node.op === "+" || node.op === "-") {
      if (typeof left !== "number" || typeof right !== "number") { return null; }
      return node.op === "+" ? left + right : left - right;
    }
    if (left === null || right === null) { return null; }
    if (node.op === "in" || node.op === "not in") {
      var found = right.some(function (item) { return item !== null && cmp(left, item) === 0; });
      return node.op === "in" ? found : !found;
    }
    var c = cmp(left, right);
    return { "==": c === 0, "!=": c !== 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0 }[node.op];
  }

  function fill(scope, container, read) {
    var computed = (client[scope] || {}).computed || {};
    Object.keys(computed).forEach(function (name) {
      var output = container.querySelector("[data-computed='" + name + "']");
      if (!output) { return; }
      var found = evaluate(computed[name], read);
      output.value = typeof found === "number" && isFinite(found) ? String(Math.trunc(found)) : "";
    });
  }
  function refresh() {
    fill("fields", form, function (path) {
      return path.length === 1 ? value(form.elements.namedItem(path[0])) : null;
    });
    form.querySelectorAll("tr[data-row]").forEach(function (tr) {
      fill("rows", tr, function (path) {
        return path.length === 1 ? value(tr.querySelector("[name$='." + path[0] + "']")) : null;
      });
    });
  }
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
}());
