import Foundation
import FuzzRunDriver

/// What the executables' libFuzzer entry points and replay command call: one binary holds every target, and the
/// process runs the one that `FUZZ_TARGET` (libFuzzer) or the first argument (replay) names.
public enum FuzzDriver {
    /// Set once by `LLVMFuzzerInitialize`, before libFuzzer calls `LLVMFuzzerTestOneInput` (always on the same
    /// thread): never written concurrently with a read.
    nonisolated(unsafe) private static var selected: FuzzTarget?

    /// For `LLVMFuzzerInitialize`: selects the target `FUZZ_TARGET` names, or exits listing them.
    public static func select(from targets: [FuzzTarget]) {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = targets.first(where: { $0.name == name }) else {
            let names = targets.map(\.name).joined(separator: " ")
            FileHandle.standardError.write(Data("FUZZ_TARGET='\(name)' is not one of: \(names)\n".utf8))
            exit(2)
        }
        selected = target
    }

    /// For `LLVMFuzzerTestOneInput`.
    public static func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
        guard let target = selected else { fatalError("LLVMFuzzerInitialize did not select a target") }
        target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }

    /// The entry point of a fuzz build: libFuzzer's driver, with its command line. (SwiftPM links an executable
    /// with `main` aliased to the module's entry point, so libFuzzer's own `main` is never linked in.)
    public static func runLibFuzzer(
        _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    ) -> Int32 {
        let status = fuzz_run_driver(argc, argv) { data, size in FuzzDriver.testOneInput(data, size) }
        if status == -1 { fatalError("built with -DFUZZING but not linked with libFuzzer (-sanitize=fuzzer)") }
        return status
    }

    /// The command of a build without libFuzzer: `incidentd-fuzz TARGET PATH...` runs the target once on each
    /// file (a directory: each file in it), so a saved crash reproduces under a debugger or a plain build;
    /// `--list` prints the targets. Returns the exit status.
    public static func replay(_ targets: [FuzzTarget], arguments: [String]) -> Int32 {
        if arguments.first == "--list" {
            for target in targets { print(target.name) }
            return 0
        }
        guard arguments.count >= 2, let target = targets.first(where: { $0.name == arguments[0] }) else {
            let names = targets.map(\.name).joined(separator: " ")
            FileHandle.standardError.write(
                Data("usage: \(CommandLine.arguments[0]) TARGET FILE|DIR... (or --list)\ntargets: \(names)\n".utf8))
            return 2
        }
        var files: [String] = []
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("no such file: \(path)\n".utf8))
                return 2
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            // Named before it runs, so that a crash's output says which file it was.
            FileHandle.standardError.write(Data("\(target.name) \(file)\n".utf8))
            target.run(data)
        }
        return 0
    }
}
