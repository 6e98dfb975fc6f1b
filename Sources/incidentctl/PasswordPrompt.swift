#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a password: from the terminal without echo, asked twice, or as the first line of stdin.
enum PasswordPrompt {
    /// The first line of stdin, without its line break.
    static func firstLineOfStandardInput() throws -> String {
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure(
                message: "error: --password-stdin: stdin is empty; write the password as its first line")
        }
        return line
    }

    /// Asks on the terminal (stdin) twice with echo off; the two must match.
    static func ask(for user: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure(
                message: "error: stdin is not a terminal to ask the password on; use --password-stdin to pipe it in")
        }
        let first = try readWithoutEcho(prompt: "Password for \(user): ")
        let second = try readWithoutEcho(prompt: "Again: ")
        guard first == second else { throw CommandFailure(message: "error: the two passwords differ; nothing changed") }
        return first
    }

    static func readWithoutEcho(prompt: String) throws -> String {
        let bytes = Array(prompt.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            throw CommandFailure(message: "error: cannot read the terminal's settings")
        }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0 else {
            throw CommandFailure(message: "error: cannot turn the terminal's echo off")
        }
        defer { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure(message: "error: no password given")
        }
        return line
    }
}
