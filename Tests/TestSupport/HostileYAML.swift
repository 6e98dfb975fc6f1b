/// YAML texts an attacker or an accident could produce, for the rule-file and config-file tests alike: each must
/// get a diagnostic, quickly, with nothing hanging or crashing. Each case is (name, text, the error code expected
/// of a rule file, or "" when any error will do).
public enum HostileYAML {
    /// A "billion laughs" alias bomb: nine levels of nine aliases each.
    public static let bomb: String = {
        var text = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        return text + "rules: *a8\n"
    }()

    public static let cases: [(String, String, String)] = [
        ("alias bomb", bomb, ""),
        (
            "deep nesting",
            "rules: " + String(repeating: "[", count: 20000) + String(repeating: "]", count: 20000) + "\n",
            "yaml-syntax"
        ),
        ("truncated", "rules:\n  - name: x\n    match: ['alertname=\"A\"'\n    kind: out", "yaml-syntax"),
        (
            "binary garbage", String(decoding: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, as: UTF8.self),
            ""
        ),
        ("a scalar at the top", "just some text\n", "wrong-type"),
        ("tabs for indentation", "rules:\n\t- name: x\n", "yaml-syntax"),
    ]
}
