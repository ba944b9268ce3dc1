import Foundation
import Testing
@testable import Storage

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodesTheRFCVectors(plain: String, encoded: String) {
        var out: [UInt8] = []
        Base64.encode(Array(plain.utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == encoded)
        #expect(Base64.decode(ArraySlice(encoded.utf8)) == Array(plain.utf8))
    }

    @Test func agreesWithFoundationOnEveryLengthAndByte() {
        for length in 0..<300 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            var out: [UInt8] = []
            Base64.encode(bytes, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == Data(bytes).base64EncodedString())
            #expect(Base64.decode(ArraySlice(out)) == bytes)
        }
    }

    @Test(arguments: ["not base64!", "Zm9", "Zg=a", "Z===", "Zm9v\u{1}"])
    func rejectsInvalidInput(text: String) {
        #expect(Base64.decode(ArraySlice(text.utf8)) == nil)
    }
}
