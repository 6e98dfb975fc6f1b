/// A dictionary-like table whose values live densely in an array, so that reading one field of a record is a
/// borrow and changing one is done in place. (`Dictionary` copies the whole value through `Values[index]`, and
/// an array of optionals copies out and back through `!`; for the engine's records either meant retaining a
/// dozen references per event.)
struct RecordTable<Key: Hashable & Sendable, Value: Sendable>: Sendable, Sequence {
    private var slots: [Key: Int] = [:]
    private var values: [Value] = []
    private var keys: [Key] = []

    init() {}

    /// An empty table with room for `minimumCapacity` records.
    init(minimumCapacity: Int) {
        slots.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
        keys.reserveCapacity(minimumCapacity)
    }

    var count: Int { values.count }
    var isEmpty: Bool { values.isEmpty }

    subscript(key: Key) -> Value? {
        _read {
            if let slot = slots[key] { yield values[slot] } else { yield nil }
        }
        set {
            if let slot = slots[key] {
                if let newValue { values[slot] = newValue } else { remove(slot: slot) }
            } else if let newValue {
                slots[key] = values.count
                values.append(newValue)
                keys.append(key)
            }
        }
    }

    /// Where a key's record lives. Valid until the next removal from the table (removal moves the last record).
    func slot(for key: Key) -> Int? { slots[key] }

    /// The record in a slot, borrowed for reading or changed in place.
    subscript(slot slot: Int) -> Value {
        _read { yield values[slot] }
        _modify { yield &values[slot] }
    }

    /// Removes by moving the last record into the hole, so storage stays dense.
    private mutating func remove(slot: Int) {
        let last = values.count - 1
        slots[keys[slot]] = nil
        if slot != last {
            values.swapAt(slot, last)
            keys.swapAt(slot, last)
            slots[keys[slot]] = slot
        }
        values.removeLast()
        keys.removeLast()
    }

    mutating func removeAll() {
        slots.removeAll()
        values.removeAll()
        keys.removeAll()
    }

    /// Every key, in no particular order.
    var allKeys: [Key] { keys }

    /// Every record, in the order of `allKeys`, without a lookup each.
    var allValues: [Value] { values }

    struct Iterator: IteratorProtocol {
        var base: Zip2Sequence<[Key], [Value]>.Iterator
        mutating func next() -> (key: Key, value: Value)? { base.next().map { (key: $0.0, value: $0.1) } }
    }

    func makeIterator() -> Iterator { Iterator(base: zip(keys, values).makeIterator()) }

    var dictionary: [Key: Value] { Dictionary(uniqueKeysWithValues: zip(keys, values)) }

    init(_ dictionary: [Key: Value]) {
        for (key, value) in dictionary { self[key] = value }
    }
}
