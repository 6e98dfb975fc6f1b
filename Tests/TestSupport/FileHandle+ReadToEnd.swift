import Foundation

extension FileHandle {
    /// Everything until the end of input, read with read(2) and read again when a signal interrupts it.
    ///
    /// Foundation's `readDataToEndOfFile()` traps on EINTR (a `try!` inside it). When any thread of the test
    /// process crashes, Swift's crash handler pauses every other thread with a signal (SIGUSR1, SIGUSR2 or SIGPROF,
    /// installed without SA_RESTART) and lets them go after the backtrace: a thread waiting for a child's output
    /// then died of a second fatal error, "Interrupted system call", which was the last line the log kept and
    /// hid the crash that caused it (a CI run in issue 16).
    public func readToEndRetryingInterrupts() throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[..<count])
            } else if count == 0 {
                return data
            } else if errno != EINTR {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        }
    }
}
