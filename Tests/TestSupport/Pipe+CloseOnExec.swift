import Foundation

extension Pipe {
    /// A `Pipe` whose two descriptors are close-on-exec, for a child's stdin, stdout or stderr.
    ///
    /// `Pipe()` makes them inheritable, and tests start children concurrently: a child another test started
    /// while this pipe was open kept a copy of its write end, so the reader (a `systemd-journal-remote` fed a
    /// fixture, `readDataToEndOfFile` of a command's output) saw no end of input until that unrelated child
    /// exited. The child this pipe is for still gets its end: `Process` `dup2`s it onto 0, 1 or 2, which clears
    /// the flag on that copy. (The flag is set just after `pipe()`; a child spawned in between still inherits
    /// both ends, a window of a few instructions instead of the pipe's whole life.)
    public static func closeOnExec() -> Pipe {
        let pipe = Pipe()
        for fd in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        }
        return pipe
    }
}
