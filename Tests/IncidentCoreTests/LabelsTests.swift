import Foundation
import IncidentCore
import Testing

@Suite("Labels")
struct LabelsTests {
    @Test("setting labels in any order keeps them sorted by name")
    func setKeepsSorted() {
        var labels = Labels()
        for name in ["m", "z", "a", "k", "b"] { labels[name] = name.uppercased() }
        #expect(labels.names == ["a", "b", "k", "m", "z"])
        #expect(labels.map(\.value) == ["A", "B", "K", "M", "Z"])
        #expect(labels["k"] == "K")
        #expect(labels["q"] == nil)
    }

    @Test("setting an existing name replaces its value in place")
    func setReplaces() {
        var labels: Labels = ["a": "1", "b": "2", "c": "3"]
        labels["b"] = "two"
        #expect(labels.count == 3)
        #expect(labels.names == ["a", "b", "c"])
        #expect(labels["b"] == "two")
    }

    @Test("setting nil removes the label; removing an absent one changes nothing")
    func remove() {
        var labels: Labels = ["a": "1", "b": "2", "c": "3"]
        labels["b"] = nil
        #expect(labels.names == ["a", "c"])
        #expect(labels["b"] == nil)
        labels["zz"] = nil
        labels["0"] = nil
        #expect(labels == ["a": "1", "c": "3"])
        labels["a"] = nil
        labels["c"] = nil
        #expect(labels.isEmpty)
    }

    @Test("the empty string is a value, not an absence")
    func emptyValue() {
        var labels = Labels()
        labels["a"] = ""
        #expect(labels.count == 1)
        #expect(labels["a"] == "")
    }

    @Test("building from pairs: a later pair with the same name wins")
    func pairsLaterWins() {
        let labels = Labels([("b", "1"), ("a", "x"), ("b", "2")])
        #expect(labels.names == ["a", "b"])
        #expect(labels["b"] == "2")
    }

    @Test("building from labels: taken as they are when in order, else sorted with a later label winning")
    func fromLabels() {
        let ordered = Labels([Label("a", "1"), Label("b", "2"), Label("c", "3")])
        #expect(ordered.names == ["a", "b", "c"])
        #expect(ordered == ["a": "1", "b": "2", "c": "3"])
        let unordered = Labels([Label("c", "3"), Label("a", "1"), Label("b", "2")])
        #expect(unordered.names == ["a", "b", "c"])
        #expect(unordered == ordered)
        // A repeated name is not "in order" (each must be greater than the one before): the later one wins.
        let repeated = Labels([Label("a", "1"), Label("b", "2"), Label("b", "9")])
        #expect(repeated.names == ["a", "b"])
        #expect(repeated["b"] == "9")
        #expect(Labels([Label]()).isEmpty)
        #expect(Labels([Label("only", "x")]) == ["only": "x"])
    }

    @Test("equal sets are equal and hash equal whatever their construction order")
    func equality() {
        let a = Labels([("x", "1"), ("y", "2")])
        let b = Labels(["y": "2", "x": "1"])
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a != ["x": "1", "y": "3"])
        #expect(a.dictionary == ["x": "1", "y": "2"])
    }

    @Test("intersection keeps the labels both sets share with equal values")
    func intersection() {
        let a: Labels = ["alertname": "HighCPU", "host": "web1", "severity": "critical", "team": "ops"]
        let b: Labels = ["alertname": "HighCPU", "host": "web2", "severity": "critical", "zone": "eu"]
        #expect(a.intersection(b) == ["alertname": "HighCPU", "severity": "critical"])
        #expect(a.intersection(b) == b.intersection(a))
        #expect(a.intersection(Labels()).isEmpty)
        #expect(a.intersection(a) == a)
    }

    @Test("merging adds the other set's labels, its values winning, still sorted")
    func merging() {
        let base: Labels = ["b": "1", "d": "1"]
        let merged = base.merging(["a": "2", "d": "2", "c": "2"])
        #expect(merged.names == ["a", "b", "c", "d"])
        #expect(merged["d"] == "2")
        #expect(merged["b"] == "1")
        #expect(base == ["b": "1", "d": "1"], "merging must not change the receiver")
    }

    @Test(
        "description prints the set the way Alertmanager does, with Go-style quoting",
        arguments: [
            (Labels(), "{}"),
            (["b": "2", "a": "1"], #"{a="1", b="2"}"#),
            (["msg": #"say "hi""#], #"{msg="say \"hi\""}"#),
            (["path": #"C:\tmp"#], #"{path="C:\\tmp"}"#),
            (["m": "l1\nl2\tx\ry"], #"{m="l1\nl2\tx\ry"}"#),
            (["host": "bücher.example"], #"{host="bücher.example"}"#),
        ] as [(Labels, String)])
    func description(labels: Labels, text: String) {
        #expect(labels.description == text)
    }
}

@Suite struct LabelsJSONTextTests {
    @Test(
        arguments: [
            Labels(), ["a": "1"], ["b": "x\"y\\z", "a": "line\nbreak\ttab\r"], ["ctl": "\u{01}\u{1F}", "u": "é😀/"],
        ] as [Labels])
    func jsonTextDecodesToTheSameLabelsAndMatchesTheEncoder(_ labels: Labels) throws {
        let decoded = try JSONDecoder().decode(Labels.self, from: Data(labels.jsonText.utf8))
        #expect(decoded == labels)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = try JSONSerialization.jsonObject(with: try encoder.encode(labels)) as? [String: String]
        let ours = try JSONSerialization.jsonObject(with: Data(labels.jsonText.utf8)) as? [String: String]
        #expect(reference == ours)
    }
}
