import Foundation
import FuzzSupport
import IncidentClient

/// `HTTPResponseDecoder` (IncidentClient), which reads every answer incidentctl gets from the control socket.
/// Input: a byte that sets how the stream is split into reads, then the stream. Properties: the outcome does not
/// depend on the split (fed whole or in pieces of 1 to 32 bytes: the same response, or an error in both); what
/// decodes has a status from 200 to 599, header names that are tokens, values without control characters (tab
/// aside), a body within the bound; and it decodes again, framed by `Content-Length`, to the same status and body.
enum HTTPResponseTarget {
    static let maxHead = 256
    static let maxBody = 4096

    static let target = FuzzTarget("http-response") { data in
        guard let first = data.first else { return }
        let stream = Array(data.dropFirst())
        let step = Int(first % 32) + 1
        let whole = decode(stream, step: stream.count)
        let pieces = decode(stream, step: step)
        switch (whole, pieces) {
        case (.success(let a), .success(let b)):
            FuzzCheck.require(a == b, "fed whole and in pieces of \(step), the responses differ")
        case (.failure, .failure):
            break
        case (.success, .failure(let error)):
            FuzzCheck.require(false, "fed in pieces of \(step) it fails (\(error.message)), fed whole it decodes")
        case (.failure(let error), .success):
            FuzzCheck.require(false, "fed whole it fails (\(error.message)), in pieces of \(step) it decodes")
        }
        guard case .success(let response) = whole else { return }
        FuzzCheck.require((200...599).contains(response.status), "status \(response.status)")
        FuzzCheck.require(response.body.count <= maxBody, "a body of \(response.body.count) bytes")
        let token = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        for field in response.headers {
            FuzzCheck.require(!field.name.isEmpty && field.name.utf8.allSatisfy(token.contains), "name \(field.name)")
            FuzzCheck.require(
                !field.value.utf8.contains { $0 != 0x09 && ($0 < 0x20 || $0 == 0x7F) },
                "a control character in \(field.value.debugDescription)")
        }
        let again = Array("HTTP/1.1 \(response.status) X\r\nContent-Length: \(response.body.count)\r\n\r\n".utf8)
        switch decode(again + response.body, step: 4096) {
        case .success(let copy):
            FuzzCheck.require(
                copy.status == response.status && copy.body == response.body, "the re-framed response differs")
        case .failure(let error):
            FuzzCheck.require(false, "the re-framed response fails: \(error.message)")
        }
    }

    static func decode(_ stream: [UInt8], step: Int) -> Result<
        HTTPResponseDecoder.Response, HTTPResponseDecoder.Failure
    > {
        var decoder = HTTPResponseDecoder(maxHeadBytes: maxHead, maxBodyBytes: maxBody)
        do throws(HTTPResponseDecoder.Failure) {
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + max(1, step))
                try decoder.feed(stream[offset..<end])
                offset = end
            }
            try decoder.finish()
            guard let response = decoder.response else {
                return .failure(.init("finish() returned without a response"))
            }
            return .success(response)
        } catch {
            return .failure(error)
        }
    }
}
