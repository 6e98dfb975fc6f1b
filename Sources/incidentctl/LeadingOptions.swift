import ArgumentParser

/// `incidentctl --config FILE list`: the daemon options given before the command are moved to just after it,
/// where ArgumentParser reads them.
///
/// ArgumentParser reads each option with the command that declares it, and the root command declares none:
/// `--config` before `list` was refused as an unknown option, although git and systemctl take their global
/// options there and it is what people type first. A nested command (`rules check`) gets them after its last
/// name; a command that does not take the option still refuses it, naming it as it would after the command.
enum LeadingOptions {
    /// The options every command that reads the config or talks to the daemon declares, all taking a value.
    static let movable = ["--config", "--socket"]

    /// `arguments` (without the program name) with leading daemon options moved behind the command's names.
    static func reordered(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if movable.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if movable.contains(where: { argument.hasPrefix($0 + "=") }) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        var command = root
        var names: [String] = []
        while index < arguments.count,
            let sub = command.configuration.subcommands.first(where: { $0._commandName == arguments[index] })
        {
            names.append(arguments[index])
            command = sub
            index += 1
        }
        // No command follows (`incidentctl --config x`): left as typed, for ArgumentParser's own message.
        guard !names.isEmpty else { return arguments }
        return names + leading + arguments[index...]
    }
}
