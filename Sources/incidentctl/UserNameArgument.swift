import ArgumentParser
import IncidentAccess

/// The checks of a user name given on the command line.
enum UserNameArgument {
    static func check(_ name: String) throws {
        guard UserAccount.isValidName(name) else {
            throw ValidationError("a user name is 1 to 64 characters of A-Z a-z 0-9 . _ @ -")
        }
    }
}
