import Foundation
import Testing

@testable import IncidentWeb

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The report charts: their structure, that every text is escaped, and that nothing needs inline styles.
@Suite struct SVGChartTests {
    /// The `<rect class="bar series-N" …>` elements: (series, x, y, width, height).
    struct Bar: Equatable {
        var series: Int
        var x, y, width, height: Double
    }

    static func bars(_ svg: String) -> [Bar] {
        let pattern =
            #/<rect class="bar series-(\d+)" x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)">/#
        return svg.matches(of: pattern).map {
            Bar(
                series: Int($0.1)!, x: Double($0.2)!, y: Double($0.3)!, width: Double($0.4)!, height: Double($0.5)!)
        }
    }

    static func days(_ count: Int) -> [String] {
        (0..<count).map { String(format: "2026-%02d-%02d", $0 / 28 % 12 + 1, $0 % 28 + 1) }
    }

    @Test func oneBarSegmentPerNonZeroValueStackedInSeriesOrder() {
        let svg = SVGChart.stackedBars(
            days: ["2026-12-01", "2026-12-02", "2026-12-03"],
            series: [("outage", [2, 0, 1]), ("security", [2, 0, 0]), ("user_issue", [0, 0, 3])],
            title: "Incidents per day")
        let bars = Self.bars(svg)
        #expect(bars.count == 4)
        #expect(bars.map(\.series) == [0, 0, 1, 2])
        // Day 1: outage at the bottom, security on top of it; 2 and 2 events draw equal heights.
        let (outage, security) = (bars[0], bars[2])
        #expect(outage.x == security.x)
        #expect(abs(outage.height - security.height) < 0.02)
        #expect(abs((security.y + security.height) - outage.y) < 0.02)
        // Heights are proportional to the values: 1 is half of 2, day 3's 1 + 3 stands as high as day 1's 4.
        #expect(abs(bars[1].height * 2 - outage.height) < 0.02)
        #expect(abs(bars[3].y - security.y) < 0.02)
        #expect(svg.contains("series-0") && svg.contains("series-1") && svg.contains("series-2"))
        #expect(svg.contains(#"<rect class="swatch series-1""#))
        #expect(svg.contains(">outage (3)</text>"))
    }

    @Test func theYAxisStopsAtARoundNumber() {
        #expect(SVGChart.Axis(maximum: 0).ticks == [0, 1])
        #expect(SVGChart.Axis(maximum: 3).ticks == [0, 1, 2, 3])
        #expect(SVGChart.Axis(maximum: 7).ticks == [0, 2, 4, 6, 8])
        #expect(SVGChart.Axis(maximum: 26).ticks == [0, 10, 20, 30])
        #expect(SVGChart.Axis(maximum: 1234).ticks == [0, 500, 1000, 1500])
        let svg = SVGChart.stackedBars(days: ["d"], series: [("a", [7])], title: "t")
        for tick in ["0", "2", "4", "6", "8"] {
            #expect(svg.contains(#"class="tick""#) && svg.contains(">\(tick)</text>"))
        }
        // The bar of 7 reaches 7/8 of the plot's height (200).
        #expect(Self.bars(svg).first?.height == 175)
    }

    @Test func zeroDataDrawsNoBarsAndSaysSo() {
        let svg = SVGChart.stackedBars(
            days: Self.days(30), series: [("outage", Array(repeating: 0, count: 30))], title: "t")
        #expect(Self.bars(svg).isEmpty)
        #expect(svg.contains(">no incidents</text>"))
        let empty = SVGChart.stackedBars(days: [], series: [], title: "t")
        #expect(empty.hasPrefix("<svg ") && empty.hasSuffix("</svg>\n"))
    }

    @Test func oneDayAnd366Days() {
        let one = Self.bars(SVGChart.stackedBars(days: ["2026-12-04"], series: [("outage", [5])], title: "t"))
        #expect(one.count == 1)
        #expect(one[0].width > 400)
        let many = SVGChart.stackedBars(
            days: Self.days(366), series: [("outage", Array(repeating: 1, count: 366))], title: "t")
        let bars = Self.bars(many)
        #expect(bars.count == 366)
        #expect(bars.allSatisfy { $0.width > 0 && $0.x + $0.width <= 640 })
        #expect(Set(bars.map(\.height)).count == 1)
        // Labels stay readable: about a dozen day labels, not 366.
        #expect(many.matches(of: #/class="label"/#).count <= 14)
    }

    @Test func sizedByViewBoxAndAccessible() {
        let svg = SVGChart.stackedBars(days: ["2026-12-04"], series: [("outage", [1])], title: "Incidents per day")
        #expect(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg""#))
        #expect(svg.contains(#"viewBox="0 0 640 "#))
        #expect(!svg.contains(" width=\"640\""))
        #expect(svg.contains(#"role="img""#))
        #expect(svg.contains(#"aria-label="Incidents per day""#))
        #expect(svg.contains("<title>Incidents per day</title>"))
    }

    static let hostile = [
        "<script>alert(1)</script>", #""><img src=x onerror=alert(1)>"#, "a & b", "it's", "\u{1}ctl",
    ]

    @Test(arguments: hostile)
    func everyTextIsEscaped(_ text: String) {
        let charts = [
            SVGChart.stackedBars(days: [text], series: [(text, [1])], title: text),
            SVGChart.horizontalBars(rows: [(text, 1, text), (text, nil, text)], title: text),
        ]
        for svg in charts {
            #expect(!svg.contains("<script"))
            #expect(!svg.contains("<img"))
            #expect(!svg.contains("onerror=alert(1)>"), "no attribute or element is closed early")
            #expect(!svg.contains("& "))
            #expect(!svg.contains("'"))
            #expect(!svg.contains("\u{1}"))
            #expect(svg.contains("&lt;") || svg.contains("&amp;") || svg.contains("&#39;") || svg.contains("\u{FFFD}"))
            // Well-formed XML: the parser would choke on an unescaped & or <.
            #expect(throws: Never.self) { try XMLDocument(xmlString: svg) }
        }
    }

    @Test func noInlineStyles() {
        let charts = [
            SVGChart.stackedBars(days: Self.days(10), series: [("a", [1, 2, 3]), ("b", [3, 2, 1])], title: "t"),
            SVGChart.horizontalBars(rows: [("P1", 252, "4m12s"), ("P2", nil, "")], title: "MTTA"),
        ]
        for svg in charts {
            #expect(!svg.contains("style"))
            #expect(!svg.contains("<script"))
        }
    }

    @Test func horizontalBarsAreProportionalAndNilIsNoData() {
        let svg = SVGChart.horizontalBars(
            rows: [("P1", 300, "5m"), ("P2", 150, "2m30s"), ("P3", nil, "—"), ("P4", 0, "0s")],
            title: "MTTA by priority")
        let bars = Self.bars(svg)
        #expect(bars.count == 3)
        #expect(abs(bars[0].width - 2 * bars[1].width) < 0.02)
        #expect(bars[2].width == 0)
        #expect(svg.contains(">5m</text>") && svg.contains(">2m30s</text>"))
        #expect(svg.matches(of: #/>no data</text>/#).count == 1)
        #expect(svg.contains(">P3</text>"))
        #expect(SVGChart.horizontalBars(rows: [], title: "t").contains(">no data</text>"))
    }

    @Test func theOutputIsDeterministic() {
        let make = {
            SVGChart.stackedBars(days: Self.days(45), series: [("a", (0..<45).map { $0 % 7 }), ("b", [1])], title: "t")
                + SVGChart.horizontalBars(rows: [("P1", 1 / 3, "x"), ("P2", 2 / 3, "y")], title: "t")
        }
        #expect(make() == make())
        #expect(SVGChart.number(1 / 3) == "0.33")
        #expect(SVGChart.number(12.5) == "12.5")
        #expect(SVGChart.number(12.05) == "12.05")
        #expect(SVGChart.number(7) == "7")
    }
}
