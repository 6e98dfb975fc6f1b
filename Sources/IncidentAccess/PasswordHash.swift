import HummingbirdBcrypt

/// bcrypt password hashes, as the users file holds them (`$2b$12$` + 22 characters of salt + 31 of hash).
///
/// bcrypt reads only the first 72 bytes of a password and stops at a NUL byte, so `check` refuses passwords
/// that would be cut short instead of silently accepting a shorter one; `verify` refuses them too, so that no
/// prefix of a long password signs anyone in.
public enum PasswordHash {
    /// The longest password bcrypt reads in full, in UTF-8 bytes.
    public static let maximumPasswordBytes = 72
    /// The costs a hash may have. Above 18 one sign-in takes many seconds of CPU: a file with such a hash could
    /// stall every login, so it is refused rather than verified.
    public static let costs: ClosedRange<UInt8> = 4...18
    /// The cost `incidentctl user add` uses: a quarter of a second or so per sign-in on current hardware.
    public static let defaultCost: UInt8 = 12

    /// Throws when `password` cannot be hashed in full: empty, longer than 72 bytes, or holding a NUL byte.
    public static func check(_ password: String) throws(PasswordError) {
        if password.isEmpty { throw PasswordError(message: "the password is empty") }
        if password.utf8.count > maximumPasswordBytes {
            throw PasswordError(
                message:
                    "the password is \(password.utf8.count) bytes long; bcrypt reads only the first \(maximumPasswordBytes), so use at most \(maximumPasswordBytes) bytes"
            )
        }
        if password.utf8.contains(0) { throw PasswordError(message: "the password holds a NUL byte") }
    }

    /// The bcrypt hash of `password` (`$2b$`), at `cost` clamped to `costs`. Check the password with `check`
    /// first: this hashes whatever it is given, as bcrypt reads it.
    public static func make(_ password: String, cost: UInt8 = defaultCost) -> String {
        Bcrypt.hash(password, cost: min(max(cost, costs.lowerBound), costs.upperBound))
    }

    /// Whether `password` matches `hash`. False, never a trap, for a malformed hash or a cost outside `costs`,
    /// and for a password `check` refuses. `$2y$` (PHP's name for `$2b$`) is read as `$2b$`.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard isWellFormed(hash), (try? check(password)) != nil else { return false }
        let normalized = hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
        return Bcrypt.verify(password, hash: normalized)
    }

    /// Whether `hash` looks like a bcrypt hash this program verifies: `$2a$`, `$2b$` or `$2y$`, a two-digit cost
    /// in `costs`, `$`, then 53 characters of bcrypt's base64 alphabet (`./A-Za-z0-9`).
    public static func isWellFormed(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
            bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"), let cost = cost(of: hash),
            costs.contains(cost)
        else { return false }
        return bytes[7...].allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "/"):
                true
            default: false
            }
        }
    }

    /// The cost written in a hash (`$2b$12$…` → 12), or nil when there are no two digits where it belongs.
    public static func cost(of hash: String) -> UInt8? {
        let bytes = Array(hash.utf8.prefix(7))
        guard bytes.count == 7 else { return nil }
        let digits = bytes[4...5]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return (digits.first! - UInt8(ascii: "0")) * 10 + (digits.last! - UInt8(ascii: "0"))
    }
}
