import FuzzSupport

#if canImport(Glibc)
    import Glibc
#endif

// The fuzz build (-DFUZZING) runs libFuzzer's driver; any other build is the replay command. SwiftPM links the
// executable with `main` aliased to `MODULE_main`, which is what the fuzz build defines here.
#if FUZZING
    @_cdecl("incidentd_fuzz_edge_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
        FuzzDriver.runLibFuzzer(argc, argv)
    }
#else
    @main
    enum Replay {
        static func main() {
            exit(FuzzDriver.replay(EdgeTargets.all, arguments: Array(CommandLine.arguments.dropFirst())))
        }
    }
#endif
