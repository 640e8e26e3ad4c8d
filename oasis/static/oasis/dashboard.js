/* Park dashboard charts (园区驾驶舱).
 *
 * Each chart is a <div data-chart="kind" data-source="id"> whose data sits in a
 * json_script block with that id; the server does every sum, this file only draws.
 * Series names arrive translated in the payload, so this file carries no UI text.
 * A bar with a `links` entry opens the records it counts (every number traces). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var esc = window.oasis.escapeHtml;

  var COLORS = {
    teal: "#0f766e", blue: "#2563eb", amber: "#d97706", slate: "#94a3b8",
    green: "#16a34a", red: "#dc2626", violet: "#7c3aed", light: "#cbd5e1",
  };

  function narrow(el) {
    // Phones (375 px) get smaller type and a bottom legend that scrolls.
    return el.clientWidth < 480;
  }

  function base(el) {
    var small = narrow(el);
    return {
      textStyle: { fontSize: small ? 11 : 12 },
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", top: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: small ? 11 : 12 } },
      grid: { left: 8, right: 8, top: 36, bottom: 8 },
    };
  }

  function categoryAxis(el, categories, extra) {
    var axis = {
      type: "category",
      data: categories,
      axisLabel: { interval: 0, hideOverlap: true, fontSize: narrow(el) ? 10 : 12 },
    };
    return Object.assign(axis, extra || {});
  }

  var builders = {
    industry: function (el, d) {
      var o = base(el);
      o.xAxis = categoryAxis(el, d.categories, {
        axisLabel: { interval: 0, width: narrow(el) ? 48 : 72, overflow: "break", fontSize: narrow(el) ? 10 : 12 },
      });
      o.yAxis = [
        { type: "value", name: d.names.firms, minInterval: 1, nameTextStyle: { align: "left" } },
        { type: "value", name: d.names.output, splitLine: { show: false }, nameTextStyle: { align: "right" } },
      ];
      o.grid.top = 52;
      o.series = [
        { name: d.names.firms, type: "bar", data: d.firms, itemStyle: { color: COLORS.teal } },
        { name: d.names.output, type: "bar", yAxisIndex: 1, data: d.output, itemStyle: { color: COLORS.amber } },
      ];
      return o;
    },

    building: function (el, d) {
      var o = base(el);
      // The tooltip is HTML: every name in it is escaped (building names are user text;
      // `marker` is ECharts' own colour dot).
      o.tooltip.formatter = function (items) {
        var i = items[0].dataIndex;
        var lines = [esc(d.categories[i]) + " " + esc(d.titles[i])];
        items.forEach(function (it) {
          if (it.value !== null && it.value !== undefined) {
            lines.push(it.marker + esc(it.seriesName) + esc(d.colon) + esc(Number(it.value).toLocaleString()));
          }
        });
        return lines.join("<br>");
      };
      o.xAxis = categoryAxis(el, d.categories, d.categories.length > 8 ? { axisLabel: { rotate: 45, fontSize: 10 } } : {});
      o.yAxis = [
        { type: "value", name: d.names.area, nameTextStyle: { align: "left" } },
        { type: "value", name: d.names.firms, minInterval: 1, splitLine: { show: false }, nameTextStyle: { align: "right" } },
      ];
      o.grid.top = 52;
      if (d.categories.length > 12) o.dataZoom = [{ type: "inside", startValue: 0, endValue: 11 }];
      function area(key, color) {
        return { name: d.names[key], type: "bar", stack: "area", data: d[key], itemStyle: { color: color } };
      }
      o.series = [
        area("leased", COLORS.green), area("reserved", COLORS.amber),
        area("vacant", COLORS.light), area("unavailable", COLORS.red),
        { name: d.names.firms, type: "line", yAxisIndex: 1, data: d.firms, symbolSize: 6, itemStyle: { color: COLORS.blue } },
      ];
      return o;
    },

    trend: function (el, d) {
      var o = base(el);
      o.xAxis = categoryAxis(el, d.categories);
      o.yAxis = [
        { type: "value", name: d.names.money, nameTextStyle: { align: "left" } },
        { type: "value", name: d.names.people, minInterval: 1, splitLine: { show: false }, nameTextStyle: { align: "right" } },
      ];
      o.grid.top = 52;
      function money(key, color) {
        return { name: d.names[key], type: "bar", data: d[key], itemStyle: { color: color } };
      }
      o.series = [
        money("output", COLORS.teal), money("revenue", COLORS.blue), money("tax", COLORS.amber),
        { name: d.names.headcount, type: "line", yAxisIndex: 1, data: d.headcount, symbolSize: 6, connectNulls: false, itemStyle: { color: COLORS.violet } },
      ];
      return o;
    },

    status: function (el, d) {
      var o = base(el);
      var palette = [COLORS.amber, COLORS.blue, COLORS.green, COLORS.slate];
      o.legend.show = false;
      o.grid.top = 8;
      o.grid.right = 32;
      // Horizontal bars in lifecycle order, top to bottom: labels stay readable on a phone.
      o.yAxis = categoryAxis(el, d.categories, { inverse: true });
      o.xAxis = { type: "value", minInterval: 1 };
      o.series = [{
        name: d.names.count, type: "bar", label: { show: true, position: "right" },
        data: d.counts.map(function (v, i) { return { value: v, itemStyle: { color: palette[i % palette.length] } }; }),
      }];
      return o;
    },

    sharing: function (el, d) {
      var o = base(el);
      o.xAxis = categoryAxis(el, d.categories, {
        axisLabel: { interval: 0, width: narrow(el) ? 48 : 72, overflow: "break", fontSize: narrow(el) ? 10 : 12 },
      });
      o.yAxis = [
        { type: "value", name: "h", nameTextStyle: { align: "left" } },
        { type: "value", minInterval: 1, splitLine: { show: false } },
      ];
      o.grid.top = 44;
      o.series = [
        { name: d.names.available, type: "bar", data: d.available, itemStyle: { color: COLORS.light } },
        { name: d.names.booked, type: "bar", data: d.booked, barGap: "-100%", itemStyle: { color: COLORS.teal } },
        { name: d.names.firms, type: "line", yAxisIndex: 1, data: d.firms, itemStyle: { color: COLORS.violet } },
      ];
      return o;
    },
  };

  var charts = [];

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.source);
    var build = builders[el.dataset.chart];
    if (!source || !build) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(el, data));
    if (data.links) {
      chart.on("click", function (params) {
        var url = data.links[params.dataIndex];
        if (url) window.location.href = url;
      });
    }
    charts.push(chart);
  });

  // One resize per animation frame, however many resize events the browser fires.
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) { c.resize(); });
    });
  });

  // The park and year selectors apply on change (oasis.js: form[data-autosubmit]).
})();
