import Expressions
import GatewayKit
import Testing
@testable import SocketConnector

@Suite struct EncodingTests {
    @Test(arguments: [("utf-8", SocketTextEncoding.utf8), ("UTF8", .utf8), ("utf_16", .utf16), ("UTF-16LE", .utf16LE),
                      ("utf-16-be", .utf16BE), ("latin-1", .latin1), ("ISO-8859-1", .latin1), ("latin1", .latin1),
                      ("ascii", .ascii), ("US-ASCII", .ascii), ("hex", .hex), ("utf-32", .utf32)])
    func pythonNamesAreRecognised(name: String, expected: SocketTextEncoding) {
        #expect(SocketTextEncoding(pythonName: name) == expected)
    }

    @Test func unknownNamesAreRefused() {
        #expect(SocketTextEncoding(pythonName: "klingon") == nil)
        #expect(SocketTextEncoding(pythonName: "") == nil)
    }

    /// Python: 'Ωa'.encode('utf-16') == b'\xff\xfe\xa9\x03a\x00'
    @Test func utf16WritesABomAndLittleEndianUnits() {
        #expect(SocketTextEncoding.utf16.encode("Ωa") == [0xFF, 0xFE, 0xA9, 0x03, 0x61, 0x00])
        #expect(SocketTextEncoding.utf16BE.encode("Ωa") == [0x03, 0xA9, 0x00, 0x61])
        #expect(SocketTextEncoding.utf16LE.encode("😀") == [0x3D, 0xD8, 0x00, 0xDE])
        #expect(SocketTextEncoding.utf32.encode("a") == [0xFF, 0xFE, 0, 0, 0x61, 0, 0, 0])
    }

    @Test func utf16DecodingHonoursTheBom() {
        #expect(SocketTextEncoding.utf16.decode([0xFF, 0xFE, 0xA9, 0x03][...]) == "Ω")
        #expect(SocketTextEncoding.utf16.decode([0xFE, 0xFF, 0x03, 0xA9][...]) == "Ω")
        #expect(SocketTextEncoding.utf16.decode([0xA9, 0x03][...]) == "Ω")
        #expect(SocketTextEncoding.utf16.decode([0xA9][...]) == nil)
        #expect(SocketTextEncoding.utf16LE.decode([0x00, 0xD8][...]) == nil, "a lone surrogate")
    }

    @Test func singleByteEncodings() {
        #expect(SocketTextEncoding.latin1.encode("é") == [0xE9])
        #expect(SocketTextEncoding.latin1.encode("Ω") == nil)
        #expect(SocketTextEncoding.latin1.decode([0xE9][...]) == "é")
        #expect(SocketTextEncoding.ascii.encode("é") == nil)
        #expect(SocketTextEncoding.ascii.decode([0x80][...]) == nil)
        #expect(SocketTextEncoding.utf8.decode([0xC3][...]) == nil)
    }

    @Test func hexBothWays() {
        #expect(SocketTextEncoding.hex.decode([0x01, 0xAB][...]) == "01ab")
        #expect(SocketTextEncoding.hex.encode("01 AB") == [0x01, 0xAB])
        #expect(SocketTextEncoding.hex.encode("0") == nil)
        #expect(SocketTextEncoding.hex.encode("zz") == nil)
    }

    /// Python: str(b"\xff'a\\\n") == 'b"\\xff\'a\\\\\\n"'
    @Test func pythonBytesRepr() {
        #expect(SocketTextEncoding.pythonBytesRepr([0xFF, 0x41][...]) == #"b'\xffA'"#)
        #expect(SocketTextEncoding.pythonBytesRepr([0xFF, 0x27, 0x61, 0x5C, 0x0A][...]) == #"b"\xff'a\\\n""#)
        #expect(SocketTextEncoding.pythonBytesRepr([0x27, 0x22][...]) == #"b'\'"'"#)
    }
}

@Suite struct PythonJSONTextTests {
    /// Python: json.dumps({"a": 1, "b": [True, None, 2.5, 1e-05], "c": "Ω\""}) ==
    /// '{"a": 1, "b": [true, null, 2.5, 1e-05], "c": "\\u03a9\\""}'
    @Test func writesAsJsonDumps() {
        let value: JSONValue = ["a": 1, "b": [true, nil, 2.5, 0.00001], "c": "Ω\""]
        #expect(PythonJSONText.dumps(value) == #"{"a": 1, "b": [true, null, 2.5, 1e-05], "c": "\u03a9\""}"#)
        #expect(PythonJSONText.dumps("hello") == #""hello""#)
        #expect(PythonJSONText.dumps(21.0) == "21.0")
    }
}

@Suite struct AddressFilterTests {
    @Test(arguments: [("*:*", "127.0.0.1:5000", true), ("127.0.0.1:*", "127.0.0.1:5000", true),
                      ("127.0.0.1:*", "127.0.0.2:5000", false), ("127.0.0.1:5000", "127.0.0.1:5000", true),
                      ("127.0.0.1:5000", "127.0.0.1:50000", false), ("*:5000", "10.1.2.3:5000", true),
                      ("*:5000", "10.1.2.3:15000", false), ("10.*.3:*", "10.1.2.3:1", true), ("10.*.3:*", "10.1.2.4:1", false),
                      ("*", "anything", true)])
    func globMatchesTheWholePeer(filter: String, peer: String, expected: Bool) {
        #expect(SocketAddressFilter(filter).matches(peer) == expected)
    }

    @Test func exactFiltersAreKnownAddresses() {
        #expect(SocketAddressFilter("127.0.0.1:5000").isExact)
        #expect(!SocketAddressFilter("127.0.0.1:*").isExact)
        #expect(SocketConnector.peer(fromText: "127.0.0.1:5000")?.text == "127.0.0.1:5000")
        #expect(SocketConnector.peer(fromText: "host:5000") == nil)
    }
}
