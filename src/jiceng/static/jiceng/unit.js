// A unit's twelve months: its three rates (left axis) and its rank (right axis, 1 at the top).
(function () {
  if (!window.echarts) return;
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  var el = document.getElementById("chart-unit");
  if (!el) return;
  var chart = echarts.init(el);
  chart.setOption({
    animation: false, textStyle: {fontFamily: getComputedStyle(document.body).fontFamily},
    tooltip: {trigger: "axis"}, legend: {bottom: 0},
    grid: {left: 8, right: 8, top: 24, bottom: 36, containLabel: true},
    xAxis: {type: "category", data: d.months},
    yAxis: [{type: "value", min: 0, max: 100, name: "%"}, {type: "value", inverse: true, minInterval: 1, min: 1, name: "名次"}],
    series: [["响应率", d.response], ["解决率", d.solved], ["满意率", d.satisfied]].map(function (s) {
      return {name: s[0], type: "line", data: s[1], connectNulls: false}; }).concat([
      {name: "排名", type: "line", yAxisIndex: 1, data: d.rank, lineStyle: {type: "dashed"}, itemStyle: {color: "#555"}}])
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
