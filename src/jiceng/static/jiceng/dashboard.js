// The dashboard's charts (Apache ECharts from npm), drawn from the page's chart-data.
(function () {
  if (!window.echarts) return;
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  var font = {fontFamily: getComputedStyle(document.body).fontFamily};
  function draw(id, option) { var el = document.getElementById(id); if (!el) return;
    var c = echarts.init(el); option.textStyle = font; option.animation = false; c.setOption(option); window.addEventListener("resize", function () { c.resize(); }); }
  draw("chart-ranking", {grid: {left: 8, right: 40, top: 8, bottom: 8, containLabel: true},
    xAxis: {type: "value", min: 0, max: 100}, yAxis: {type: "category", inverse: true, data: d.units},
    series: [{type: "bar", data: d.scores, itemStyle: {color: "#b71c1c"}, label: {show: true, position: "right"}}]});
  draw("chart-trend", {tooltip: {trigger: "axis"}, legend: {bottom: 0},
    grid: {left: 8, right: 16, top: 16, bottom: 36, containLabel: true},
    xAxis: {type: "category", data: d.trend.map(function (t) { return t.month; })},
    yAxis: {type: "value", min: 0, max: 100},
    series: [["响应率", "response"], ["解决率", "solved"], ["满意率", "satisfied"], ["综合得分", "score"]].map(function (s) {
      return {name: s[0], type: "line", data: d.trend.map(function (t) { return t[s[1]]; })}; })});
  draw("chart-channels", {tooltip: {trigger: "axis"}, legend: {bottom: 0},
    grid: {left: 8, right: 16, top: 16, bottom: 36, containLabel: true},
    xAxis: {type: "category", data: d.channels.months}, yAxis: {type: "value", minInterval: 1},
    series: d.channels.series.map(function (s) { return {name: s.name, type: "line", data: s.data}; })});
  draw("chart-category", {tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"],
    data: d.categories.map(function (c) { return {name: c.name, value: c.n}; })}]});
})();
