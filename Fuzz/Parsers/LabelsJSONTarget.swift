import Foundation
import FuzzSupport
import IncidentCore

/// `Labels(jsonText:)`, the stores' fast reader of the labels they wrote: on any input it never traps, and what it
/// accepts `JSONDecoder` (the general path it stands in for) reads as the same labels; the labels it reads write
/// back (`jsonText`) as the same text, so it accepts nothing `jsonText` would not have written.
enum LabelsJSONTarget {
    static let target = FuzzTarget("labels-json") { data in
        let text = String(decoding: data, as: UTF8.self)
        guard let labels = Labels(jsonText: text) else { return }
        let general = try? JSONDecoder().decode(Labels.self, from: Data(text.utf8))
        FuzzCheck.require(general == labels, "the general path reads \(String(describing: general)), not \(labels)")
        FuzzCheck.require(labels.jsonText == text, "\(labels) writes back as \(labels.jsonText), not \(text)")
    }
}
