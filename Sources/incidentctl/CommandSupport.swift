import Foundation
import IncidentCore

/// The wall clock, read once per command at the edge: renderers take the time as a value.
func currentTime() -> Timestamp {
    Timestamp(seconds: Date().timeIntervalSince1970)
}

/// Writes text and a newline to standard output.
func printOutput(_ data: Data) {
    FileHandle.standardOutput.write(data)
    if data.last != 0x0A { FileHandle.standardOutput.write(Data([0x0A])) }
}
