import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

struct SilenceAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a silence and print its id.",
        discussion: """
            MATCHERs use Alertmanager's syntax: name=value, name!=value, name=~regex, name!~regex; quote values \
            with spaces or commas (host="db 7"), and quote the whole matcher for the shell. Every matcher must \
            hold for an alert to be silenced, and at least one must need a non-empty value. --from INC-n adds \
            an = matcher for each label common to that incident's alerts. The silence runs from --starts \
            (default now) for --duration, or until --until. Times are RFC 3339 (2026-12-24T09:00:00Z). --by \
            defaults to $SUDO_USER, else your user name.
            Examples:
              incidentctl silence add alertname=DiskFull 'host=~"db.*"' --duration 2h --comment 'resizing'
              incidentctl silence add --from INC-7 --until 2026-12-24T18:00:00Z --comment 'known, fix tomorrow'
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "Matchers: name=value, name!=value, name=~regex, name!~regex.")
    var matchers: [String] = []

    @Option(help: ArgumentHelp("Silence the labels common to this incident's alerts.", valueName: "INC-n"))
    var from: IncidentArgument?

    @Option(help: "How long the silence lasts from its start: 30m, 2h, 1d.")
    var duration: String?

    @Option(help: ArgumentHelp("When the silence ends (RFC 3339).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("When the silence starts (RFC 3339; default now).", valueName: "time"))
    var starts: String?

    @Option(help: "Why: shown to whoever wonders later why nothing pages.")
    var comment: String

    @Option(help: "Who silences (default: $SUDO_USER, else your user name).")
    var by: String?

    func validate() throws {
        // The matchers of --from come from the daemon; check the rest here with a placeholder for them.
        let extra = from == nil ? [] : [SilenceMatcher(name: "incident", value: "placeholder")]
        do {
            _ = try SilenceArguments.silence(
                matchers: matchers, extra: extra, duration: duration, until: until, starts: starts, comment: comment,
                by: "check", now: currentTime())
        } catch {
            throw ValidationError(error)
        }
    }

    func run() async throws {
        let client = try daemon.client()
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        do {
            var extra: [SilenceMatcher] = []
            if let from {
                extra = try SilenceArguments.matchers(from: try await client.incident(from.number).value.incident)
            }
            let silence = try SilenceArguments.silence(
                matchers: matchers, extra: extra, duration: duration, until: until, starts: starts, comment: comment,
                by: person, now: currentTime())
            print(try await client.addSilence(silence))
        } catch let error as UsageError {
            throw CommandFailure(message: "error: \(error.message)")
        } catch {
            throw CommandFailure(error)
        }
    }
}
