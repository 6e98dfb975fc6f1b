import Foundation

/// A PostgreSQL connection URL as libpq reads it, the subset an operator writes in `store.postgres.url`:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=MODE&host=/run/postgresql`.
///
/// The password may come from the URL but belongs in `store.postgres.password_file`; `display` never shows it.
public struct PostgresURL: Sendable, Hashable {
    /// How the connection is encrypted, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never.
        case disable
        /// When the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// Always, without checking the certificate.
        case require
        /// Always, and the certificate must be signed by a trusted authority for this host name.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    /// A host name or address, or nil with `socketDirectory` set.
    public var host: String?
    public var port: Int
    /// The directory of the server's Unix socket (`?host=/run/postgresql`), used instead of TCP.
    public var socketDirectory: String?
    public var database: String
    public var tls: TLSMode

    public init(
        user: String, password: String? = nil, host: String? = "localhost", port: Int = 5432,
        socketDirectory: String? = nil, database: String, tls: TLSMode = .prefer
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.socketDirectory = socketDirectory
        self.database = database
        self.tls = tls
    }

    /// The most characters of a URL looked at; longer ones are refused.
    public static let maxLength = 2048

    /// Reads a URL; the error is a sentence for the operator saying what is wrong with it.
    public static func parse(_ text: String) -> Result<PostgresURL, PostgresURLError> {
        func fail(_ why: String) -> Result<PostgresURL, PostgresURLError> {
            .failure(PostgresURLError(message: why))
        }
        guard !text.isEmpty else { return fail("the URL is empty; write postgres://USER@HOST:PORT/DATABASE") }
        guard text.utf8.count <= maxLength else { return fail("the URL is longer than \(maxLength) bytes") }
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true })
        else { return fail("the URL holds a space or a control character") }
        guard let components = URLComponents(string: text) else {
            return fail("it is not a URL; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            return fail("the scheme must be postgres:// or postgresql://")
        }
        var url = PostgresURL(user: "", database: "")
        url.user = components.user ?? ""
        url.password = components.password
        guard !url.user.isEmpty else { return fail("the URL names no user; write postgres://USER@HOST/DATABASE") }
        // Percent-decoding may have made control characters, which would reach logs and error messages.
        // The query's names and values are decoded too: `?host=/run/%C2%85x` is a socket directory with one.
        let queryParts = (components.queryItems ?? []).flatMap { [("option", $0.name), ("option", $0.value ?? "")] }
        for (part, value) in [("user", url.user), ("host", components.host ?? ""), ("database", components.path)]
            + queryParts
        where value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return fail("the URL's \(part) holds a control character")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        url.host = host.isEmpty ? nil : host
        if let port = components.port {
            guard (1...65_535).contains(port) else { return fail("the port \(port) is not between 1 and 65535") }
            url.port = port
        }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else { return fail("the database name \(path) holds a '/'") }
        url.database = path.isEmpty ? url.user : path
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                switch value {
                case "disable", "allow": url.tls = .disable
                case "prefer": url.tls = .prefer
                case "require", "verify-ca": url.tls = value == "require" ? .require : .verifyFull
                case "verify-full": url.tls = .verifyFull
                default:
                    return fail("sslmode=\(value) is not one of disable, prefer, require, verify-ca, verify-full")
                }
            case "host":
                guard value.hasPrefix("/") else {
                    return fail("host=\(value) in the query must be a socket directory starting with '/'")
                }
                url.socketDirectory = value
            case "application_name", "connect_timeout":
                break
            default:
                return fail("the URL's option \(item.name) is not supported (sslmode and host are)")
            }
        }
        guard url.host != nil || url.socketDirectory != nil else {
            return fail("the URL names no host; write postgres://USER@HOST/DATABASE or ?host=/run/postgresql")
        }
        if url.socketDirectory != nil { url.host = nil }
        return .success(url)
    }

    /// The Unix socket's path, `DIR/.s.PGSQL.PORT`, when the URL names a socket directory.
    public var socketPath: String? {
        socketDirectory.map { ($0 as NSString).appendingPathComponent(".s.PGSQL.\(port)") }
    }

    /// The URL without its password, for logs, errors and `incidentctl status`.
    public var display: String {
        let place = socketDirectory.map { "?host=\($0)" } ?? ""
        let host = self.host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? ""
        return "postgres://\(user)@\(host):\(port)/\(database)\(place)"
    }
}

/// What is wrong with a PostgreSQL URL.
public struct PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
