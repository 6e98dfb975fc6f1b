import Foundation

/// One parser under fuzz: its name (the value of `FUZZ_TARGET`, the folder of its corpus) and what one input
/// does with it. `run` checks properties with `FuzzCheck`, which stops the process the way a crash does, so
/// that libFuzzer keeps the input.
public struct FuzzTarget: Sendable {
    public let name: String
    public let run: @Sendable (Data) -> Void

    public init(_ name: String, run: @escaping @Sendable (Data) -> Void) {
        self.name = name
        self.run = run
    }
}
