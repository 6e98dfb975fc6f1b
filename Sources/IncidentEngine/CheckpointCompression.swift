import CZlib
import Foundation

/// The checkpoint's compact form compressed with zlib, as the daemon writes it.
///
/// At 100,000 active alerts the compact form is some 40 MB, and the commit that carried it held every
/// acknowledgement behind it for 0.24–0.44 s on this machine's disk (the event latency's p99.9 at 10k events/s
/// was that commit). zlib at level 1 makes it about a fifth of that for 0.2 s of CPU on the encoding task, off
/// the pipeline, and a restart spends about 0.1 s inflating it (BENCHMARKS.md, issue 16).
///
/// Layout: the magic `IDSZ` and a format byte (1), the compact form's length as a UInt64 little-endian, then
/// one zlib stream (its Adler-32 checks what it inflates to). Reading is bounded: the stated length must be one
/// deflate could have produced from the stream's size, the output grows only as the stream fills it, and the
/// stream must inflate to exactly that length and end at the data's end, so damaged or crafted bytes are an
/// error, never a crash or an allocation of what they claim.
public enum CheckpointCompression {
    static let magic: [UInt8] = [0x49, 0x44, 0x53, 0x5A, 0x01]
    static let headerSize = magic.count + 8
    /// The most deflate can shrink its input (zlib's documentation: 1032:1), plus a little for the stream's
    /// framing: a stated length above this for a stream's size cannot be genuine.
    static let maxRatio = 1040

    public static func isCompressed(_ data: Data) -> Bool {
        data.count >= magic.count && data.prefix(magic.count).elementsEqual(magic)
    }

    static func compress(_ bytes: [UInt8], level: Int32 = 1) throws -> Data {
        let bound = Int(compressBound(uLong(bytes.count)))
        let out = try [UInt8](unsafeUninitializedCapacity: headerSize + bound) { buffer, count in
            for (i, byte) in magic.enumerated() { buffer[i] = byte }
            var length = UInt64(bytes.count).littleEndian
            withUnsafeBytes(of: &length) { raw in
                for (i, byte) in raw.enumerated() { buffer[magic.count + i] = byte }
            }
            var written = uLong(bound)
            let status = bytes.withUnsafeBufferPointer { source in
                compress2(buffer.baseAddress! + headerSize, &written, source.baseAddress, uLong(source.count), level)
            }
            guard status == Z_OK else {
                throw EncodingError.invalidValue(
                    bytes.count,
                    .init(codingPath: [], debugDescription: "zlib could not compress the checkpoint (\(status))"))
            }
            count = headerSize + Int(written)
        }
        return Data(out)
    }

    /// The compact form inside `data`, which must start with `magic`.
    static func decompress(_ data: Data) throws -> [UInt8] {
        guard data.count > headerSize, isCompressed(data) else {
            throw CompactCoder.corrupt("the compressed checkpoint is shorter than its header")
        }
        let stated = data.dropFirst(magic.count).prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        let stream = data.count - headerSize
        guard stated > 0, stated <= UInt64(stream) * UInt64(maxRatio) else {
            throw CompactCoder.corrupt("the compressed checkpoint states \(stated) bytes for a stream of \(stream)")
        }
        let length = Int(stated)
        var inflater = z_stream()
        guard inflateInit_(&inflater, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CompactCoder.corrupt("zlib could not start inflating the checkpoint")
        }
        defer { inflateEnd(&inflater) }
        // The output grows as the stream produces it, up to one byte past the stated length (which tells a stream
        // that runs longer): a damaged length costs an error, never an allocation of what it claims, which on a
        // machine that does not overcommit would stop the process at every start.
        let limit = length + 1
        var out = [UInt8](repeating: 0, count: min(limit, max(1 << 16, stream * 8)))
        var produced = 0
        var status = Z_OK
        try data.withUnsafeBytes { raw in
            let input = raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + headerSize
            var consumed = 0
            while status == Z_OK {
                if produced == out.count {
                    guard out.count < limit else { break }
                    out.append(contentsOf: repeatElement(0, count: min(limit, out.count * 2) - out.count))
                }
                // avail_in and avail_out are 32-bit: a longer stream or buffer is handed over in parts.
                let offered = min(stream - consumed, Int(UInt32.max))
                let room = min(out.count - produced, Int(UInt32.max))
                inflater.next_in = UnsafeMutablePointer(mutating: input + consumed)
                inflater.avail_in = uInt(offered)
                status = out.withUnsafeMutableBufferPointer { buffer in
                    inflater.next_out = buffer.baseAddress! + produced
                    inflater.avail_out = uInt(room)
                    return inflate(&inflater, Z_NO_FLUSH)
                }
                consumed += offered - Int(inflater.avail_in)
                produced += room - Int(inflater.avail_out)
            }
            guard status == Z_STREAM_END, produced == length, consumed == stream else {
                throw CompactCoder.corrupt(
                    "the compressed checkpoint does not inflate to its stated \(length) bytes (zlib \(status), "
                        + "\(produced) bytes from \(consumed) of \(stream))")
            }
        }
        out.removeLast(out.count - produced)
        return out
    }
}
