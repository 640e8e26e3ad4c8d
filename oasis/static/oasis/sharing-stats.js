/* Shared-service utilisation charts. Data comes from json_script blocks (the server
 * does every sum); series names arrive translated, so this file has no UI text. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var builders = {
    shares: function (d) {
      return {
        tooltip: { trigger: "axis", confine: true },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.shares, axisLabel: { interval: 0 } },
        yAxis: [{ type: "value", name: d.names.booked }, { type: "value", name: d.names.revenue, splitLine: { show: false } }],
        series: [
          { name: d.names.booked, type: "bar", data: d.booked, itemStyle: { color: "#0f766e" } },
          { name: d.names.available, type: "bar", data: d.available, itemStyle: { color: "#cbd5e1" } },
          { name: d.names.revenue, type: "line", yAxisIndex: 1, data: d.revenue, itemStyle: { color: "#d97706" } },
        ],
      };
    },
    resources: function (d) {
      return {
        tooltip: { trigger: "axis", confine: true },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100, name: d.label },
        yAxis: { type: "category", data: d.names, inverse: true },
        series: [{ name: d.label, type: "bar", data: d.utilisation, itemStyle: { color: "#2563eb" } }],
      };
    },
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var src = document.getElementById(el.dataset.source);
    var build = builders[el.dataset.chart];
    if (!src || !build) return;
    var chart = echarts.init(el);
    chart.setOption(build(JSON.parse(src.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
