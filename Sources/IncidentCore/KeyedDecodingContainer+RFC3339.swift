extension KeyedDecodingContainer {
    /// An RFC 3339 time written as a string; a clear decoding error naming the key when it is not one.
    func decodeRFC3339(forKey key: Key) throws -> Timestamp {
        let text = try decode(String.self, forKey: key)
        guard let time = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not RFC 3339: \(text)")
        }
        return time
    }
}
