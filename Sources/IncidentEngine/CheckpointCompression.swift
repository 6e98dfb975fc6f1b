import CZlib
import CZstd
import Foundation

/// The checkpoint's compact form compressed, as the daemon writes it.
///
/// At 100,000 active alerts the compact form is some 40 MB, and the commit that carried it held every
/// acknowledgement behind it for 0.24–0.44 s on this machine's disk (the event latency's p99.9 at 10k events/s
/// was that commit). zstd at level 1 makes it about a sixth of that for 0.07 s of CPU on the encoding task, off
/// the pipeline, and a restart spends about 0.03 s decompressing it. The first compressed form (2026-12-07) used
/// zlib at level 1: 8.3 MB for 0.2 s of CPU, 0.1 s to inflate; it still reads (BENCHMARKS.md, issue 16).
///
/// Layout: the magic `IDSZ`, a format byte (1 zlib, 2 zstd), the compact form's length as a UInt64
/// little-endian, then one zlib stream (its Adler-32 checks what it inflates to) or one zstd frame (with its
/// content size and checksum). Reading is bounded: the stated length must be one the format could have produced
/// from the stream's size, the output grows only as the stream fills it, and the stream must decompress to
/// exactly that length and end at the data's end, so damaged or crafted bytes are an error, never a crash or an
/// allocation of what they claim.
public enum CheckpointCompression {
    static let prefix: [UInt8] = [0x49, 0x44, 0x53, 0x5A]

    enum Format: UInt8, CaseIterable {
        case zlib = 1
        case zstd = 2

        /// The most the format can shrink its input, plus a little for its framing: a stated length above this
        /// for a stream's size cannot be genuine. Deflate: 1032:1 (zlib's documentation). zstd: a block of up to
        /// 128 KiB of one byte repeated is 4 bytes (its header and the byte).
        var maxRatio: Int {
            switch self {
            case .zlib: 1040
            case .zstd: 32_768
            }
        }
    }

    /// What the daemon writes.
    static let format = Format.zstd
    static let headerSize = prefix.count + 1 + 8
    /// The largest window a zstd frame may ask for: level 1 uses 512 KiB, and levels up to 19 at most 8 MiB, so a
    /// damaged frame header cannot make the reader allocate zstd's default limit (128 MiB) for its window.
    static let zstdWindowLogMax: Int32 = 23

    public static func isCompressed(_ data: Data) -> Bool {
        data.count > prefix.count && data.prefix(prefix.count).elementsEqual(prefix)
    }

    static func compress(_ bytes: [UInt8], format: Format = format) throws -> Data {
        let bound =
            switch format {
            case .zlib: Int(compressBound(uLong(bytes.count)))
            case .zstd: ZSTD_compressBound(bytes.count)
            }
        let out = try [UInt8](unsafeUninitializedCapacity: headerSize + bound) { buffer, count in
            for (i, byte) in prefix.enumerated() { buffer[i] = byte }
            buffer[prefix.count] = format.rawValue
            var length = UInt64(bytes.count).littleEndian
            withUnsafeBytes(of: &length) { raw in
                for (i, byte) in raw.enumerated() { buffer[prefix.count + 1 + i] = byte }
            }
            let destination = buffer.baseAddress! + headerSize
            let written = try bytes.withUnsafeBufferPointer { source in
                switch format {
                case .zlib: try zlibCompress(source, into: destination, capacity: bound)
                case .zstd: try zstdCompress(source, into: destination, capacity: bound)
                }
            }
            count = headerSize + written
        }
        return Data(out)
    }

    private static func zlibCompress(
        _ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, capacity: Int
    ) throws -> Int {
        var written = uLong(capacity)
        let status = compress2(destination, &written, source.baseAddress, uLong(source.count), 1)
        guard status == Z_OK else { throw refused(source.count, "zlib could not compress the checkpoint (\(status))") }
        return Int(written)
    }

    private static func zstdCompress(
        _ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, capacity: Int
    ) throws -> Int {
        guard let context = ZSTD_createCCtx() else { throw refused(source.count, "zstd could not start") }
        defer { ZSTD_freeCCtx(context) }
        for (parameter, value) in [(ZSTD_c_compressionLevel, Int32(1)), (ZSTD_c_checksumFlag, 1)] {
            let status = ZSTD_CCtx_setParameter(context, parameter, value)
            guard ZSTD_isError(status) == 0 else { throw refused(source.count, zstdError(status)) }
        }
        let written = ZSTD_compress2(context, destination, capacity, source.baseAddress, source.count)
        guard ZSTD_isError(written) == 0 else { throw refused(source.count, zstdError(written)) }
        return written
    }

    private static func refused(_ count: Int, _ message: String) -> EncodingError {
        EncodingError.invalidValue(count, .init(codingPath: [], debugDescription: message))
    }

    private static func zstdError(_ code: Int) -> String { "zstd: " + String(cString: ZSTD_getErrorName(code)) }

    /// The compact form inside `data`, which must start with the magic.
    static func decompress(_ data: Data) throws -> [UInt8] {
        guard data.count > headerSize, isCompressed(data) else {
            throw CompactCoder.corrupt("the compressed checkpoint is shorter than its header")
        }
        let formatByte = data[data.startIndex + prefix.count]
        guard let format = Format(rawValue: formatByte) else {
            throw CompactCoder.corrupt(
                "the checkpoint is compressed in format \(formatByte), which this version does not read")
        }
        let stated = data.dropFirst(prefix.count + 1).prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        let stream = data.count - headerSize
        guard stated > 0, stated <= UInt64(stream) * UInt64(format.maxRatio) else {
            throw CompactCoder.corrupt("the compressed checkpoint states \(stated) bytes for a stream of \(stream)")
        }
        guard let length = Int(exactly: stated), length < Int.max else {
            throw CompactCoder.corrupt("the compressed checkpoint states \(stated) bytes, more than this machine holds")
        }
        return try data.withUnsafeBytes { raw in
            let input = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
            switch format {
            case .zlib: return try zlibDecompress(input, length: length)
            case .zstd: return try zstdDecompress(input, length: length)
            }
        }
    }

    /// Decompresses with `step`, which takes the input consumed so far and room for output and returns how much
    /// input it consumed, how much output it produced and whether the stream ended. The output grows as the stream
    /// produces it, up to one byte past the stated length (which tells a stream that runs longer): a damaged length
    /// costs an error, never an allocation of what it claims, which on a machine that does not overcommit would
    /// stop the process at every start.
    static func expand(
        _ input: UnsafeRawBufferPointer, length: Int, name: String,
        step: (_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws -> (
            consumed: Int, produced: Int, ended: Bool
        )
    ) throws -> [UInt8] {
        let limit = length + 1
        var out = [UInt8](repeating: 0, count: min(limit, max(1 << 16, input.count * 8)))
        var produced = 0
        var consumed = 0
        var ended = false
        while !ended {
            if produced == out.count {
                guard out.count < limit else { break }
                out.append(contentsOf: repeatElement(0, count: min(limit, out.count * 2) - out.count))
            }
            let result = try out.withUnsafeMutableBytes { buffer in
                try step(
                    UnsafeRawBufferPointer(rebasing: input[consumed...]),
                    UnsafeMutableRawBufferPointer(rebasing: buffer[produced...]))
            }
            consumed += result.consumed
            produced += result.produced
            ended = result.ended
            // No progress with room left and input unread (or none left): the stream is cut short.
            if !ended, result.consumed == 0, result.produced == 0 { break }
        }
        guard ended, produced == length, consumed == input.count else {
            throw CompactCoder.corrupt(
                "the compressed checkpoint does not decompress to its stated \(length) bytes (\(name), "
                    + "\(produced) bytes from \(consumed) of \(input.count)\(ended ? "" : ", the stream unfinished"))")
        }
        out.removeLast(out.count - produced)
        return out
    }

    private static func zlibDecompress(_ input: UnsafeRawBufferPointer, length: Int) throws -> [UInt8] {
        var inflater = z_stream()
        guard inflateInit_(&inflater, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CompactCoder.corrupt("zlib could not start inflating the checkpoint")
        }
        defer { inflateEnd(&inflater) }
        return try expand(input, length: length, name: "zlib") { input, output in
            // avail_in and avail_out are 32-bit: a longer stream or buffer is handed over in parts.
            let offered = min(input.count, Int(clamping: UInt32.max))
            let room = min(output.count, Int(clamping: UInt32.max))
            inflater.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            inflater.avail_in = uInt(offered)
            inflater.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            inflater.avail_out = uInt(room)
            let status = inflate(&inflater, Z_NO_FLUSH)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw CompactCoder.corrupt("the compressed checkpoint does not inflate (zlib \(status))")
            }
            return (offered - Int(inflater.avail_in), room - Int(inflater.avail_out), status == Z_STREAM_END)
        }
    }

    /// A zstd frame's magic (little-endian 0xFD2FB528). libzstd also reads the frames of its versions before 1.0
    /// through decoders that do not apply `zstdWindowLogMax`; this writer never made those, so they are refused.
    static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    private static func zstdDecompress(_ input: UnsafeRawBufferPointer, length: Int) throws -> [UInt8] {
        guard input.count >= zstdMagic.count, input.prefix(zstdMagic.count).elementsEqual(zstdMagic) else {
            throw CompactCoder.corrupt("the compressed checkpoint's stream is not a zstd frame")
        }
        let content = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        guard content == UInt64(length) else {
            throw CompactCoder.corrupt(
                "the compressed checkpoint states \(length) bytes and its zstd frame "
                    + (content >= UInt64.max - 1 ? "has no readable size" : "\(content)"))
        }
        guard let context = ZSTD_createDCtx() else { throw CompactCoder.corrupt("zstd could not start") }
        defer { ZSTD_freeDCtx(context) }
        let status = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, zstdWindowLogMax)
        guard ZSTD_isError(status) == 0 else { throw CompactCoder.corrupt(zstdError(status)) }
        return try expand(input, length: length, name: "zstd") { input, output in
            var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
            var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            let hint = ZSTD_decompressStream(context, &destination, &source)
            guard ZSTD_isError(hint) == 0 else {
                throw CompactCoder.corrupt("the compressed checkpoint does not decompress (\(zstdError(hint)))")
            }
            // 0: the frame is decoded and flushed whole.
            return (source.pos, destination.pos, hint == 0)
        }
    }
}
