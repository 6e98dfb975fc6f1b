import Foundation
import FuzzSupport
import IncidentCore

/// `PostgresURL.parse`, run on `store.postgres.url` by `incidentd validate` and at every start: it never traps;
/// what parses names a user, a port in range, a database without '/', a host or a socket directory; its
/// `display` (which reaches logs) holds no control character and never the password.
enum PostgresURLTarget {
    static let target = FuzzTarget("postgres-url") { data in
        let text = String(decoding: data, as: UTF8.self)
        switch PostgresURL.parse(text) {
        case .failure(let error):
            FuzzCheck.require(!error.message.isEmpty, "an error without a message")
        case .success(let url):
            FuzzCheck.require(!url.user.isEmpty, "no user")
            FuzzCheck.require((1...65_535).contains(url.port), "port \(url.port)")
            FuzzCheck.require(!url.database.isEmpty && !url.database.contains("/"), "database '\(url.database)'")
            FuzzCheck.require((url.host == nil) != (url.socketDirectory == nil), "host and socket directory")
            let display = url.display
            FuzzCheck.require(
                !display.unicodeScalars.contains { $0.properties.generalCategory == .control },
                "a control character in \(display.debugDescription)")
            // `display` does not depend on the password: the same URL without it shows the same. (Looking for the
            // password's text in `display` is no test: it may be "postgres" or a part of the database's name.)
            if url.password != nil, var components = URLComponents(string: text) {
                components.password = nil
                if let bare = components.string, case .success(let without) = PostgresURL.parse(bare) {
                    FuzzCheck.require(without.display == display, "\(display) depends on the password")
                }
            }
        }
    }
}
