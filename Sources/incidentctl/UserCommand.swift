import ArgumentParser

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, remove web users and set their passwords: the users file of http.auth.users_file.",
        discussion: """
            The users file holds one user a line, NAME:ROLE:BCRYPTHASH. Roles: viewer (reads the console), \
            operator (also acts on incidents and silences), reporter (the portal only). The daemon reads the file \
            again when it changes: no restart or reload. Passwords are never arguments: they are asked on the \
            terminal (twice, not echoed) or read from the first line of stdin with --password-stdin; at most 72 \
            bytes (bcrypt reads no more). The file is --file, else the config's http.auth.users_file (default \
            `users` next to the config file, /etc/incidentd/users).
            Examples:
              incidentctl user add alice --role operator
              printf '%s\\n' "$PASSWORD" | incidentctl user add bot --role reporter --password-stdin
              incidentctl user list
              incidentctl user passwd alice
              incidentctl user remove alice
            """,
        subcommands: [UserAdd.self, UserList.self, UserRemove.self, UserPasswd.self]
    )
}
