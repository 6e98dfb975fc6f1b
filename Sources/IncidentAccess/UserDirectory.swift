import Synchronization

/// The users file as the daemon sees it: read again whenever it changes on disk (device, inode, size or
/// modification time), so `incidentctl user add` takes effect without a restart.
///
/// A file that fails to read or parse keeps the last good list and says why in `problem`: a typo made while
/// editing must not lock everyone out, nor let anyone in who was removed before.
public final class UserDirectory: Sendable {
    struct State: Sendable {
        var accounts: [String: UserAccount] = [:]
        var seen: UsersFileSnapshot.State?
        var problem: String?
        /// Hashes of a random password, by cost, verified against for unknown names.
        var dummies: [UInt8: String] = [:]
    }

    /// The users file; nil means no file, so no users.
    public let path: String?
    let state = Mutex(State())

    /// The cost of the dummy hash while the file has no users to take it from.
    public let defaultCost: UInt8

    public init(path: String?, defaultCost: UInt8 = PasswordHash.defaultCost) {
        self.path = path
        self.defaultCost = defaultCost
    }

    /// The account `name` signs in to with `password`, or nil. Slow on purpose (bcrypt): call it off the event
    /// loop. An unknown name costs one bcrypt verify too, against a dummy hash of the cost the file's users have,
    /// so the time taken does not tell which names exist.
    public func authenticate(name: String, password: String) -> UserAccount? {
        refresh()
        let (account, dummy) = state.withLock { state -> (UserAccount?, String?) in
            if let account = state.accounts[name] { return (account, nil) }
            let cost = state.accounts.values.first.flatMap { PasswordHash.cost(of: $0.passwordHash) }
            let chosen = cost ?? defaultCost
            return (nil, state.dummies[chosen])
        }
        guard let account else {
            // Making the dummy costs what a verify does, so the first unknown name takes no longer than later ones.
            if let dummy { _ = PasswordHash.verify(password, hash: dummy) } else { makeDummy() }
            return nil
        }
        return PasswordHash.verify(password, hash: account.passwordHash) ? account : nil
    }

    /// The account named `name` as the file has it now, or nil.
    public func account(named name: String) -> UserAccount? {
        refresh()
        return state.withLock { $0.accounts[name] }
    }

    /// Every account, sorted by name.
    public var accounts: [UserAccount] {
        refresh()
        return state.withLock { $0.accounts.values.sorted { $0.name < $1.name } }
    }

    /// Why the last read of the file failed (the last good list is in use), or nil when it is in effect as is.
    public var problem: String? {
        refresh()
        return state.withLock { $0.problem }
    }

    /// Reads the file again when what is at the path differs from what was read last.
    func refresh() {
        guard let path else { return }
        let now = UsersFileSnapshot.state(path: path)
        state.withLock { state in
            guard state.seen != now else { return }
            do throws(UsersFileError) {
                guard let snapshot = try UsersFileSnapshot.capture(path: path) else {
                    state.accounts = [:]
                    state.problem = nil
                    state.seen = .missing
                    return
                }
                // The state taken before the read: if the file changed in between, the next call reads again.
                state.seen = now
                do throws(UsersFileError) {
                    let accounts = try UsersFile.parse(snapshot.text)
                    state.accounts = Dictionary(accounts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
                    state.problem = nil
                } catch {
                    var located = error
                    located.path = path
                    state.problem = "\(located); the previous list of users stays in effect"
                }
            } catch {
                state.seen = now
                state.problem = "\(error); the previous list of users stays in effect"
            }
        }
    }

    /// Makes a dummy hash at the cost the file's users have and keeps it for the unknown names to come.
    func makeDummy() {
        let cost = state.withLock { state in
            state.accounts.values.first.flatMap { PasswordHash.cost(of: $0.passwordHash) }
        }
        let chosen = cost ?? defaultCost
        var bytes = SystemRandomNumberGenerator()
        let hash = PasswordHash.make(String(bytes.next(), radix: 36), cost: chosen)
        state.withLock { $0.dummies[chosen] = hash }
    }
}
