/* ronghe's few lines of page script: searchable multi-selects (Tom Select, vendored). Pages work without it. */
(function () {
  "use strict";
  function enhance(root) {
    if (typeof TomSelect === "undefined") { return; }
    root.querySelectorAll("select[data-searchable]:not(.tomselected)").forEach(function (el) {
      var multiple = el.multiple;
      new TomSelect(el, {
        plugins: multiple ? ["remove_button"] : [],
        maxOptions: null,
        hidePlaceholder: true,
        placeholder: el.getAttribute("data-placeholder") || (document.documentElement.lang === "en" ? "Type to search…" : "输入关键词搜索…"),
        closeAfterSelect: true,
        render: {
          no_results: function () {
            return '<div class="no-results">' + (document.documentElement.lang === "en" ? "No match" : "没有匹配的选项") + "</div>";
          }
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
