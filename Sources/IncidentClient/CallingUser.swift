#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who runs the command, for `--by`: the person behind sudo first, then the login name.
public enum CallingUser {
    public static func name(environment: [String: String]) -> String {
        for key in ["SUDO_USER", "USER", "LOGNAME"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
