#if canImport(Glibc)
    import Glibc
#endif

/// How the daemon sets up glibc's allocator before it starts.
///
/// glibc serves a block of at least `M_MMAP_THRESHOLD` bytes from a mapping of its own, which `free` gives back
/// to the kernel at once; smaller blocks come from its arenas, whose freed space stays resident for reuse. The
/// threshold starts at 128 KiB, but by default glibc raises it to the size of every mapped block freed, up to
/// 32 MiB. After the daemon's first checkpoint (buffers of tens of MB at 100,000 alerts) every later large
/// buffer (a checkpoint's, a batch's, a request body's) comes from the arenas instead. The small records the
/// engine keeps are allocated between them, so the space they leave stays resident, mostly not in whole free
/// pages that `malloc_trim` could return. Fixing the threshold at glibc's own starting value keeps large
/// transient buffers out of the arenas: at rest with 100,000 alerts, 968 bytes resident per alert instead of
/// 1,231 (medians of one alternated run), and a peak 0.82 times as high (BENCHMARKS.md, issue 16).
public enum MallocTuning {
    /// glibc's initial `M_MMAP_THRESHOLD` (`DEFAULT_MMAP_THRESHOLD_MIN`), kept instead of raised.
    public static let mmapThreshold: Int32 = 128 * 1024

    /// What `apply` did.
    public enum Outcome: Equatable, Sendable {
        /// The threshold is fixed at `mmapThreshold`.
        case fixed
        /// The environment sets the allocator's thresholds itself (`GLIBC_TUNABLES` naming one, or glibc's
        /// older `MALLOC_MMAP_THRESHOLD_`/`MALLOC_TRIM_THRESHOLD_`): the operator's choice stands.
        case leftToEnvironment
        /// Not glibc, or glibc refused the setting.
        case unavailable
    }

    /// Fixes the threshold unless the environment sets it; call once, before the daemon starts its work.
    @discardableResult
    public static func apply(environment: [String: String]) -> Outcome {
        if environment["MALLOC_MMAP_THRESHOLD_"] != nil || environment["MALLOC_TRIM_THRESHOLD_"] != nil {
            return .leftToEnvironment
        }
        if let tunables = environment["GLIBC_TUNABLES"],
            tunables.contains("malloc.mmap_threshold") || tunables.contains("malloc.trim_threshold")
        {
            return .leftToEnvironment
        }
        #if canImport(Glibc)
            // M_MMAP_THRESHOLD is -3 in <malloc.h>.
            guard let mallopt = glibc("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self) else {
                return .unavailable
            }
            return mallopt(-3, mmapThreshold) == 1 ? .fixed : .unavailable
        #else
            return .unavailable
        #endif
    }

    /// Gives back to the kernel the whole free pages in glibc's arenas (`malloc_trim(0)`), after a checkpoint:
    /// its encoding allocates a few times the state's size for a moment. Its large buffers are mappings of their
    /// own once the threshold is fixed and go back when freed; this returns what the smaller ones leave.
    static func releaseFreedMemory() {
        #if canImport(Glibc)
            if let trim = mallocTrim { _ = trim(0) }
        #endif
    }

    #if canImport(Glibc)
        private static let mallocTrim = glibc("malloc_trim", as: (@convention(c) (Int) -> Int32).self)

        /// A function of glibc's allocator: `mallopt(3)` and `malloc_trim(3)` are declared in <malloc.h>, which
        /// Swift's Glibc module does not include, so they are looked up in the process.
        private static func glibc<F>(_ name: String, as type: F.Type) -> F? {
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        }
    #endif
}
