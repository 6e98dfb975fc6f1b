/// The console's report charts (SPEC §14) as inline SVG: incidents per day by kind, and MTTA and MTTR by priority.
///
/// The output is deterministic (same input, same bytes), sized by `viewBox` only so that it scales to the page
/// (a phone too), and carries no `style` attribute or inline CSS: the pages' Content-Security-Policy forbids
/// them. Colours come from the page's stylesheet through classes: every shape of series N has `series-N`
/// (bars `bar series-N`, legend swatches `swatch series-N`), axes `axis`, grid lines `grid`, texts `label`,
/// `tick`, `legend`, `value`, `no-data` and `chart-title`. Text and lines use `currentColor`, so they follow the
/// page's light or dark colour. Every text is XML-escaped: labels come from alert senders.
public enum SVGChart {
    /// A stacked bar chart: one bar per day, one segment per series (bottom to top in `series` order), with a
    /// y axis at round numbers and a legend.
    /// - Parameters:
    ///   - days: the x axis, oldest first (`YYYY-MM-DD` is shown as `MM-DD`); a long range labels every few days.
    ///   - series: one per kind, each with one value per day (missing values count 0, negatives 0).
    ///   - title: what the chart shows; also its accessible name.
    public static func stackedBars(days: [String], series: [(name: String, values: [Int])], title: String) -> String {
        let plotLeft = 44.0
        let plotTop = 28.0
        let plotWidth = width - plotLeft - 12
        let plotHeight = 200.0
        let plotBottom = plotTop + plotHeight
        let legendTop = plotBottom + 34
        let height = legendTop + Double(series.count) * legendRow + 6
        let values = series.map { s in days.indices.map { max(0, $0 < s.values.count ? s.values[$0] : 0) } }
        let totals = days.indices.map { day in values.reduce(0) { $0 + $1[day] } }
        let axis = Axis(maximum: totals.max() ?? 0)
        let total = totals.reduce(0, +)

        var svg = open(
            height: height, title: title,
            description: "\(total) in all over \(days.count) \(days.count == 1 ? "day" : "days")")
        svg += text(title, x: plotLeft, y: 16, class: "chart-title")
        // The y axis: grid lines and values at round numbers.
        for tick in axis.ticks {
            let y = plotBottom - Double(tick) / Double(axis.top) * plotHeight
            svg += line(x1: plotLeft, y1: y, x2: plotLeft + plotWidth, y2: y, class: "grid", opacity: true)
            svg += text(String(tick), x: plotLeft - 6, y: y + 4, class: "tick", anchor: "end")
        }
        svg += line(x1: plotLeft, y1: plotBottom, x2: plotLeft + plotWidth, y2: plotBottom, class: "axis")
        // The bars: one slot per day, a fifth of it left as the gap between bars.
        let slot = days.isEmpty ? plotWidth : plotWidth / Double(days.count)
        let barWidth = max(slot * 0.8, 0.5)
        for (i, s) in series.enumerated() {
            for (day, name) in days.enumerated() where values[i][day] > 0 {
                let below = values[..<i].reduce(0) { $0 + $1[day] }
                let top = plotBottom - Double(below + values[i][day]) / Double(axis.top) * plotHeight
                let bottom = plotBottom - Double(below) / Double(axis.top) * plotHeight
                svg +=
                    "<rect class=\"bar series-\(i)\" x=\"\(number(plotLeft + Double(day) * slot + (slot - barWidth) / 2))\""
                    + " y=\"\(number(top))\" width=\"\(number(barWidth))\" height=\"\(number(bottom - top))\">"
                    + "<title>\(escape("\(name) \(s.name): \(values[i][day])"))</title></rect>\n"
            }
        }
        if total == 0 {
            svg += text(
                "no incidents", x: plotLeft + plotWidth / 2, y: plotTop + plotHeight / 2, class: "no-data",
                anchor: "middle")
        }
        // Day labels: at most about twelve, evenly spaced, the last day always.
        let every = max(1, Int((Double(days.count) / 12).rounded(.up)))
        for (day, name) in days.enumerated() where day % every == 0 || day == days.count - 1 {
            if day != days.count - 1, days.count - 1 - day < every { continue }
            svg += text(
                shortDay(name), x: plotLeft + (Double(day) + 0.5) * slot, y: plotBottom + 16, class: "label",
                anchor: "middle")
        }
        for (i, s) in series.enumerated() {
            let y = legendTop + Double(i) * legendRow
            svg +=
                "<rect class=\"swatch series-\(i)\" x=\"\(number(plotLeft))\" y=\"\(number(y - 10))\" width=\"12\" height=\"12\"/>\n"
            svg += text("\(s.name) (\(values[i].reduce(0, +)))", x: plotLeft + 18, y: y, class: "legend")
        }
        return svg + "</svg>\n"
    }

    /// A horizontal bar chart, one row per label, bars proportional to the values, each followed by its text.
    /// - Parameters:
    ///   - rows: `label` on the left; `value` sets the bar's length (nil: no bar and "no data"); `text` is shown
    ///     after the bar (the formatted value, `4m12s`).
    ///   - title: what the chart shows; also its accessible name.
    public static func horizontalBars(rows: [(label: String, value: Double?, text: String)], title: String) -> String {
        let labelWidth = 70.0
        let barLeft = labelWidth + 8
        let barArea = width - barLeft - 90
        let top = 28.0
        let height = top + Double(max(rows.count, 1)) * barRow + 8
        let largest = rows.compactMap(\.value).filter { $0.isFinite && $0 > 0 }.max() ?? 0

        var svg = open(height: height, title: title, description: "\(rows.count) \(rows.count == 1 ? "row" : "rows")")
        svg += text(title, x: 0, y: 16, class: "chart-title")
        if rows.isEmpty {
            svg += text("no data", x: barLeft, y: top + barRow / 2 + 4, class: "no-data")
        }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * barRow
            let middle = y + barRow / 2
            svg += text(row.label, x: labelWidth, y: middle + 4, class: "label", anchor: "end")
            guard let value = row.value, value.isFinite else {
                svg += text("no data", x: barLeft, y: middle + 4, class: "no-data")
                continue
            }
            let length = largest > 0 ? max(0, value) / largest * barArea : 0
            svg +=
                "<rect class=\"bar series-0\" x=\"\(number(barLeft))\" y=\"\(number(y + 4))\" width=\"\(number(length))\""
                + " height=\"\(number(barRow - 8))\"><title>\(escape("\(row.label): \(row.text)"))</title></rect>\n"
            svg += text(row.text, x: barLeft + length + 6, y: middle + 4, class: "value")
        }
        return svg + "</svg>\n"
    }
}
