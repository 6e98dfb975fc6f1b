/// A label set: unique names, kept sorted by name (the order the fingerprint is computed in).
///
/// Stored as a sorted array rather than a dictionary: label sets are small, and an array is both
/// faster to hash and a fraction of the memory, which matters at 100k active alerts.
public struct Labels: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    public private(set) var storage: [Label]

    public init() { storage = [] }

    public init(_ dictionary: [String: String]) {
        storage = dictionary.map { Label($0.key, $0.value) }.sorted { $0.name < $1.name }
    }

    /// Builds a set from pairs; a later pair with the same name wins.
    public init(_ pairs: some Sequence<(String, String)>) {
        self.init(Array(pairs))
    }

    /// The same for an array: what the decoders call, compiled for it (the generic form above is not specialised
    /// across modules, and its iteration through protocol witnesses cost the decoding 13% of its instructions,
    /// issue 16).
    public init(_ pairs: [(String, String)]) {
        // Insertion from the end: label sets are small and often arrive nearly sorted.
        var result: [Label] = []
        result.reserveCapacity(pairs.count)
        for (name, value) in pairs {
            var i = result.count
            while i > 0, name < result[i - 1].name { i -= 1 }
            if i > 0, result[i - 1].name == name {
                result[i - 1].value = value
            } else if i == result.count {
                result.append(Label(name, value))
            } else {
                result.insert(Label(name, value), at: i)
            }
        }
        storage = result
    }

    /// Builds a set from labels; a later label with the same name wins. An array already in strictly ascending
    /// order of names becomes the set's storage as it is: a decoder that builds its labels in order (the journal's
    /// mapping) then makes no second array, and frees no array of pairs, per event (issue 16).
    public init(_ labels: [Label]) {
        if labels.indices.dropFirst().allSatisfy({ labels[$0 - 1].name < labels[$0].name }) {
            self.init(ordered: labels)
        } else {
            self.init(labels.map { ($0.name, $0.value) })
        }
    }

    private init(ordered: [Label]) { storage = ordered }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var startIndex: Int { storage.startIndex }
    public var endIndex: Int { storage.endIndex }
    public subscript(position: Int) -> Label { storage[position] }

    func index(of name: String) -> (found: Bool, index: Int) {
        var low = 0
        var high = storage.count
        while low < high {
            let mid = (low + high) / 2
            let current = storage[mid].name
            if current == name { return (true, mid) }
            if current < name { low = mid + 1 } else { high = mid }
        }
        return (false, low)
    }

    /// The value of a label, or nil when the set has no label of that name.
    public subscript(name: String) -> String? {
        get {
            // Label sets are small: a scan with `==` (length check, then memcmp) beats a binary search with
            // String's Unicode-aware `<`.
            if storage.count <= 16 {
                for label in storage where label.name == name { return label.value }
                return nil
            }
            let (found, index) = index(of: name)
            return found ? storage[index].value : nil
        }
        set {
            let (found, index) = index(of: name)
            switch (found, newValue) {
            case (true, let value?): storage[index].value = value
            case (true, nil): storage.remove(at: index)
            case (false, let value?): storage.insert(Label(name, value), at: index)
            case (false, nil): break
            }
        }
    }

    /// Sets each pair in turn (a later pair of the same name wins), with room for all of them made at once: a
    /// rule's captures added to an event's labels copied and then grew the shared array (issue 16).
    public mutating func set(_ pairs: [(String, String)]) {
        storage.reserveCapacity(storage.count + pairs.count)
        for i in pairs.indices { self[pairs[i].0] = pairs[i].1 }
    }

    public var names: [String] { storage.map(\.name) }

    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: storage.map { ($0.name, $0.value) })
    }

    /// The labels both sets share with equal values.
    public func intersection(_ other: Labels) -> Labels {
        var result = Labels()
        result.storage = storage.filter { other[$0.name] == $0.value }
        return result
    }

    /// This set with every label of `other` added (other's values win).
    public func merging(_ other: Labels) -> Labels {
        var result = self
        for label in other { result[label.name] = label.value }
        return result
    }

    public var fingerprint: Fingerprint { Fingerprint(labels: self) }

    /// `{a="1", b="2"}`, the way Alertmanager prints label sets.
    public var description: String {
        "{" + storage.map { "\($0.name)=\(quoted($0.value))" }.joined(separator: ", ") + "}"
    }
}

/// Quotes a value with Go-style escapes, as matchers and label sets print them.
public func quoted(_ value: String) -> String {
    // Most values need no escaping: check the bytes once and concatenate.
    if !value.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) { return "\"" + value + "\"" }
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
