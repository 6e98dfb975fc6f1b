import Testing

@testable import IncidentDaemon

#if canImport(Glibc)
    import Glibc
#endif

/// The allocator setting the daemon makes at start (`MallocTuning`), checked on this process's own glibc.
@Suite struct MallocTuningTests {
    #if canImport(Glibc)
        /// Whether glibc served `pointer` from a mapping of its own: the IS_MMAPPED bit (0x2) of the chunk's size
        /// word, the machine word before the pointer (glibc's chunk layout, unchanged since the 1990s).
        static func isMapped(_ pointer: UnsafeMutableRawPointer) -> Bool {
            UnsafeRawPointer(pointer).load(fromByteOffset: -MemoryLayout<UInt>.size, as: UInt.self) & 0x2 != 0
        }

        // Exit tests came with Swift 6.2; the package builds with 6.1, where this check is left out.
        #if compiler(>=6.2)
            /// By default, freeing a mapped 16 MiB block raises glibc's threshold to 16 MiB, and a 1 MiB block after it
            /// comes from an arena. With the threshold fixed it is still a mapping of its own, which `free` returns to
            /// the kernel.
            ///
            /// Checked in a process of its own (an exit test): in the test process, blocks the other tests freed lie in
            /// the arenas' bins, and glibc serves a large request from a free chunk big enough before it considers a
            /// mapping, whatever the threshold.
            @Test func aLargeBlockAfterALargerOneFreedIsStillMappedOnItsOwn() async {
                await #expect(processExitsWith: .success) {
                    guard MallocTuning.apply(environment: [:]) == .fixed else { exit(2) }
                    guard let large = malloc(16 << 20) else { exit(3) }
                    guard MallocTuningTests.isMapped(large) else { exit(4) }
                    free(large)
                    guard let next = malloc(1 << 20) else { exit(5) }
                    guard MallocTuningTests.isMapped(next) else { exit(6) }
                    guard let small = malloc(64) else { exit(7) }
                    guard !MallocTuningTests.isMapped(small) else { exit(8) }
                    exit(0)
                }
            }
        #endif
    #endif

    /// An operator who tunes glibc's thresholds in the environment (a systemd drop-in's `Environment=`) keeps
    /// that choice.
    @Test(arguments: [
        ["GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=1048576"],
        ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=65536"],
        ["MALLOC_MMAP_THRESHOLD_": "262144"],
        ["MALLOC_TRIM_THRESHOLD_": "0"],
    ])
    func anEnvironmentThatSetsTheThresholdsIsLeftAlone(environment: [String: String]) {
        #expect(MallocTuning.apply(environment: environment) == .leftToEnvironment)
    }

    /// Tunables about other things do not stop the daemon from fixing the threshold.
    @Test func otherTunablesDoNotCount() {
        #expect(MallocTuning.apply(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"]) == .fixed)
    }
}
