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

        /// By default, freeing a mapped 16 MiB block raises glibc's threshold to 16 MiB, and a 1 MiB block after it
        /// comes from an arena. With the threshold fixed it is still a mapping of its own, which `free` returns to
        /// the kernel.
        @Test func aLargeBlockAfterALargerOneFreedIsStillMappedOnItsOwn() throws {
            #expect(MallocTuning.apply(environment: [:]) == .fixed)
            let large = try #require(malloc(16 << 20))
            #expect(Self.isMapped(large))
            free(large)
            let next = try #require(malloc(1 << 20))
            defer { free(next) }
            #expect(Self.isMapped(next))
            let small = try #require(malloc(64))
            defer { free(small) }
            #expect(!Self.isMapped(small))
        }
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
