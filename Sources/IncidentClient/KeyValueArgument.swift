/// `--label k=v` and `--annotation k=v` values.
public enum KeyValueArgument {
    /// Splits at the first `=`; the name must not be empty, the value may be.
    public static func parse(_ text: String, option: String) throws(UsageError) -> (String, String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw UsageError("\(option) '\(text)' is not NAME=VALUE")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// Parses every value into a dictionary; a repeated name keeps its last value.
    public static func parseAll(_ texts: [String], option: String) throws(UsageError) -> [String: String] {
        var result: [String: String] = [:]
        for text in texts {
            let (name, value) = try parse(text, option: option)
            result[name] = value
        }
        return result
    }
}
