import Glibc

/// Which file a spool file is, as the file system knows it: device, inode, modification time and size.
///
/// While a committed file sits in `done/` its inode cannot be given to another file on that file system, and a
/// new write of a reused name gets a new modification time; the very file left in `new/` by a crash between
/// the commit and the move keeps all four. Taken with `fstat` on the descriptor the file is read through, so
/// the identity recorded is the one of the bytes ingested.
struct SpoolFileIdentity: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    /// The modification time in nanoseconds since the epoch.
    var modified: Int64
    var size: Int64

    init(device: UInt64, inode: UInt64, modified: Int64, size: Int64) {
        (self.device, self.inode, self.modified, self.size) = (device, inode, modified, size)
    }

    init(_ info: stat) {
        self.init(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            size: Int64(info.st_size))
    }
}
