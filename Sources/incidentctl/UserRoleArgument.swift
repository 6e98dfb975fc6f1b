import ArgumentParser
import IncidentAccess

/// The `--role` of `user add`: a role the users file may give.
enum UserRoleArgument {
    static func role(_ text: String) throws -> Role {
        let allowed = UserAccount.assignableRoles.map(\.rawValue).joined(separator: ", ")
        guard let role = Role(rawValue: text), UserAccount.assignableRoles.contains(role) else {
            if text == Role.admin.rawValue {
                throw ValidationError(
                    "admin is the control socket's role, not a web user's; --role must be one of \(allowed)")
            }
            throw ValidationError("--role must be one of \(allowed)")
        }
        return role
    }
}
