extension KeyedDecodingContainer {
    /// An incident written as `"INC-7"`, `"7"` or `7`; nil when absent or null, a decoding error naming the key
    /// when it names no incident.
    func decodeIncidentIfPresent(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let number = try? decode(Int.self, forKey: key), number > 0 { return number }
        let text = (try? decode(String.self, forKey: key)) ?? ""
        guard let number = Incident.number(from: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "not an incident id (INC-7): \(text)")
        }
        return number
    }
}
