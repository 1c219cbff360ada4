internal import CZLib
import Foundation

/// gzip (RFC 1952) through zlib, for archive segments: the codec is zlib's; this only feeds
/// it buffers. A segment is therefore readable by any gzip tool (`zcat`).
enum Gzip {
    /// A failure of zlib, with its return code.
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "zlib \(operation) failed (code \(code))" }
    }

    /// `bytes` compressed as one gzip member (level 6).
    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer (CRC-32, length) around the deflate data.
        let started = deflateInit2_(
            &stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard started == Z_OK else { throw Failure(operation: "deflateInit2", code: started) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let result: Int32 = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw Failure(operation: "deflate", code: result) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// The bytes of one gzip member; zlib checks its CRC-32 and length.
    /// - Throws: ``Failure`` when the data is not gzip, is damaged or ends early, or holds more than `limit` bytes.
    static func decompress(_ bytes: [UInt8], limit: Int = 1 << 34) throws -> [UInt8] {
        var stream = z_stream()
        let started = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard started == Z_OK else { throw Failure(operation: "inflateInit2", code: started) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var input = bytes
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    return (result, target.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= limit else { throw Failure(operation: "inflate (over the size limit)", code: Z_BUF_ERROR) }
                if result == Z_STREAM_END {
                    guard stream.avail_in == 0 else { throw Failure(operation: "inflate (bytes after the end)", code: Z_DATA_ERROR) }
                    return
                }
                guard result == Z_OK else {
                    throw Failure(operation: "inflate", code: result == Z_BUF_ERROR ? Z_DATA_ERROR : result)
                }
                if produced == 0 && stream.avail_in == 0 { throw Failure(operation: "inflate (truncated)", code: Z_BUF_ERROR) }
            }
        }
        return output
    }
}
