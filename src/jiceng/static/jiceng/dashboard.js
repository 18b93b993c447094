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
  drawMap();
  draw("chart-category", {tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"],
    data: d.categories.map(function (c) { return {name: c.name, value: c.n}; })}]});

  // The seven counties of 昌吉州 coloured by one rate; grey where the sample is too small or
  // there is nothing. A click drills down to the county's townships.
  function drawMap() {
    var el = document.getElementById("chart-map");
    if (!el || !d.map || !echarts.getMap(d.map.map)) return;
    // the prefecture is about 1.9 times as wide as it is tall: give the map that shape at any
    // width, so the counties are never stretched, plus room for the legend
    function fit() { el.style.height = Math.round(Math.min(el.clientWidth, 900) / 1.9 + 48) + "px"; }
    fit();
    var chart = echarts.init(el);
    var names = {score: "综合得分", response: "响应率", solved: "解决率", satisfied: "满意率"};
    function tip(c, rate) {
      var lines = [c.name];
      lines.push(names[rate] + "：" + (c[rate] === null ? "—" : c[rate]));
      lines.push("按时接单 " + c.on_time + " / 派单 " + c.dispatched);
      lines.push("已解决 " + c.solved_n + " / 回访 " + c.callbacks);
      if (!c.sufficient && c[rate] !== null) lines.push("样本不足，不排名");
      if (c.rank) lines.push("第 " + c.rank + " 名");
      return lines.join("<br>");
    }
    function shortName(name) { return name.replace("哈萨克自治县", "县"); }
    function show(rate) {
      var narrow = el.clientWidth < 480;
      var values = d.map.counties.filter(function (c) { return c.sufficient && c[rate] !== null; })
        .map(function (c) { return c[rate]; });
      // the scale starts at the lowest county (rounded down to 5), so close counties differ in
      // colour; the legend prints both ends
      var low = values.length ? Math.max(0, Math.floor(Math.min.apply(null, values) / 5) * 5 - 5) : 0;
      chart.setOption({
        animation: false, textStyle: font,
        tooltip: {trigger: "item", confine: true, formatter: function (p) { return p.data ? tip(p.data.county, rate) : p.name; }},
        visualMap: {min: low, max: 100, orient: "horizontal", left: "center", bottom: 0,
          itemWidth: 12, itemHeight: narrow ? 120 : 180, calculable: false, precision: 0,
          text: ["100", String(low)], inRange: {color: ["#fde0dc", "#e57373", "#b71c1c"]}},
        series: [{type: "map", map: d.map.map, roam: false, top: 8, bottom: 40, left: "center",
          width: Math.min(el.clientWidth - 8, 900),
          // on a phone the names would overlap: the list under the map names the counties
          label: {show: !narrow, fontSize: 12, formatter: function (p) { return shortName(p.name); }},
          itemStyle: {areaColor: "#e0e0e0", borderColor: "#fff"},
          emphasis: {label: {show: true}, itemStyle: {areaColor: "#ffcc80"}},
          data: d.map.counties.map(function (c) {
            return {name: c.name, value: c.sufficient ? c[rate] : null, county: c};
          })}]
      }, true);
    }
    show("score");
    chart.on("click", function (p) {
      if (!p.data) return;
      var period = document.getElementById("period").value;
      window.location.href = "?period=" + encodeURIComponent(period) + "&view=region&region=" + p.data.county.code + "#ranking";
    });
    document.querySelectorAll(".map-controls button").forEach(function (b) {
      b.addEventListener("click", function () {
        document.querySelectorAll(".map-controls button").forEach(function (o) { o.classList.remove("on"); });
        b.classList.add("on");
        show(b.getAttribute("data-rate"));
      });
    });
    window.addEventListener("resize", function () { fit(); chart.resize(); });
  }
})();
