import ArgumentParser
import IncidentAccess

/// How a new password is given (never as an argument, where `ps` and shell history would show it) and hashed.
struct PasswordOptions: ParsableArguments {
    @Flag(help: "Read the password from the first line of stdin instead of asking on the terminal.")
    var passwordStdin = false

    @Option(
        help: ArgumentHelp("The bcrypt cost, 4 to 18; each step doubles the work of a sign-in.", visibility: .hidden))
    var cost: UInt8 = PasswordHash.defaultCost

    func validate() throws {
        guard PasswordHash.costs.contains(cost) else {
            throw ValidationError(
                "--cost must be from \(PasswordHash.costs.lowerBound) to \(PasswordHash.costs.upperBound)")
        }
    }

    /// The password, read and checked, hashed.
    func hash(for user: String) throws -> String {
        let password = try passwordStdin ? PasswordPrompt.firstLineOfStandardInput() : PasswordPrompt.ask(for: user)
        do throws(PasswordError) {
            try PasswordHash.check(password)
        } catch {
            throw CommandFailure(message: "error: \(error)")
        }
        return PasswordHash.make(password, cost: cost)
    }
}
