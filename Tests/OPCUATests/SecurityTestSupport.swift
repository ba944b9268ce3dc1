import Foundation
import NIOCore
@testable import OPCUA
import TestSupport

/// Hex helpers for the security tests (named apart from the codec helper's own).
enum SecurityHex {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8).filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }
        precondition(digits.count % 2 == 0, "odd hex length")
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: preconditionFailure("not hex: \(c)")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Builds plaintext chunks the way a secure channel lays them out (Part 6 §6.7.2), so the seal/open calls can be
/// exercised without the transport: message header, security header, then the sequence header at `securedFrom`.
enum SecurityChunkBuilder {
    /// "MSG"/"CLO" chunk: header + token id; returns the chunk and `securedFrom` (always 16).
    static func symmetric(messageType: String = "MSG", channelId: UInt32, tokenId: UInt32, sequenceNumber: UInt32,
                          requestId: UInt32, body: [UInt8]) -> (chunk: ByteBuffer, securedFrom: Int) {
        var buffer = ByteBuffer()
        buffer.writeString(messageType)
        buffer.writeInteger(UInt8(ascii: "F"))
        buffer.writeInteger(UInt32(0), endianness: .little)
        buffer.writeInteger(channelId, endianness: .little)
        buffer.writeInteger(tokenId, endianness: .little)
        let securedFrom = buffer.readableBytes
        buffer.writeInteger(sequenceNumber, endianness: .little)
        buffer.writeInteger(requestId, endianness: .little)
        buffer.writeBytes(body)
        return (buffer, securedFrom)
    }

    /// "OPN" chunk with the asymmetric security header of `security`.
    static func asymmetric(security: any OPCUAChannelSecurity, channelId: UInt32, sequenceNumber: UInt32,
                           requestId: UInt32, body: [UInt8]) -> (chunk: ByteBuffer, securedFrom: Int) {
        var buffer = ByteBuffer()
        buffer.writeString("OPN")
        buffer.writeInteger(UInt8(ascii: "F"))
        buffer.writeInteger(UInt32(0), endianness: .little)
        buffer.writeInteger(channelId, endianness: .little)
        writeByteString(Array(security.policyURI.utf8), into: &buffer)
        writeByteString(security.localCertificateDER, into: &buffer)
        writeByteString(security.remoteCertificateThumbprint, into: &buffer)
        let securedFrom = buffer.readableBytes
        buffer.writeInteger(sequenceNumber, endianness: .little)
        buffer.writeInteger(requestId, endianness: .little)
        buffer.writeBytes(body)
        return (buffer, securedFrom)
    }

    /// Offset of the sequence header in a received OPN chunk (after the three length-prefixed header fields).
    static func asymmetricSecuredFrom(_ chunk: ByteBuffer) -> Int {
        var offset = 12
        for _ in 0..<3 {
            guard let length = chunk.getInteger(at: chunk.readerIndex + offset, endianness: .little, as: Int32.self) else {
                return chunk.readableBytes  // truncated: opening it fails with a clear error
            }
            offset += 4 + max(Int(length), 0)
        }
        return offset
    }

    private static func writeByteString(_ bytes: [UInt8]?, into buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeInteger(Int32(-1), endianness: .little)
            return
        }
        buffer.writeInteger(Int32(bytes.count), endianness: .little)
        buffer.writeBytes(bytes)
    }

    static func sizeField(_ chunk: ByteBuffer) -> Int {
        Int(chunk.getInteger(at: chunk.readerIndex + 4, endianness: .little, as: UInt32.self)!)
    }

    /// Body after the sequence header of an opened chunk.
    static func body(_ chunk: ByteBuffer, securedFrom: Int) -> [UInt8] {
        Array(chunk.readableBytesView.dropFirst(securedFrom + 8))
    }

    static func sequenceNumber(_ chunk: ByteBuffer, securedFrom: Int) -> UInt32 {
        chunk.getInteger(at: chunk.readerIndex + securedFrom, endianness: .little, as: UInt32.self)!
    }
}

/// Key material shared by the security tests: generating RSA keys is slow, so each test process makes them once.
/// Client: our own self-signed application certificate. Server: an openssl-made certificate (an independent
/// implementation) unless a test asks for another size.
struct SecurityTestIdentities: Sendable {
    let client: OPCUAApplicationIdentity
    let server: OPCUAApplicationIdentity
    let serverKeyPEM: String

    static let shared: Result<SecurityTestIdentities, any Error> = Result(catching: {
        let client = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:tbgw:test:client", hostName: "localhost", commonName: "swift-iot-gateway test client")
        let pki = try TestCertificates(label: "opcua-sec")
        let server = try OPCUAApplicationIdentity(certificateFile: pki.serverCertFile, privateKeyFile: pki.serverKeyFile)
        let serverKeyPEM = try String(contentsOfFile: pki.serverKeyFile, encoding: .utf8)
        return SecurityTestIdentities(client: client, server: server, serverKeyPEM: serverKeyPEM)
    })

    static func get() throws -> SecurityTestIdentities { try shared.get() }

    /// The client's channel security, and a mirror of it that plays the server (local/remote swapped) so chunks
    /// the client seals can be opened locally and vice versa.
    func channel(_ policy: OPCUASecurityPolicy, _ mode: OPCUASecurityMode) throws -> (client: OPCUASecureChannelSecurity, server: OPCUASecureChannelSecurity) {
        let clientSide = try OPCUASecureChannelSecurity(policy: policy, mode: mode, localCertificate: client.certificate,
                                                        localPrivateKey: client.privateKey, remoteCertificate: server.certificate)
        let serverSide = try OPCUASecureChannelSecurity(policy: policy, mode: mode, localCertificate: server.certificate,
                                                        localPrivateKey: server.privateKey, remoteCertificate: client.certificate)
        return (clientSide, serverSide)
    }
}

extension OPCUASymmetricKeySet {
    /// The same token seen from the server: what the client signs with, the server checks with, and vice versa.
    var mirrored: OPCUASymmetricKeySet {
        OPCUASymmetricKeySet(clientSigningKey: serverSigningKey, clientEncryptingKey: serverEncryptingKey,
                             clientInitializationVector: serverInitializationVector,
                             serverSigningKey: clientSigningKey, serverEncryptingKey: clientEncryptingKey,
                             serverInitializationVector: clientInitializationVector)
    }
}

/// Runs Tests/Peers/opcua_crypto.py (asyncua's crypto playing the server) on a batch of operations.
enum AsyncuaCrypto {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(policy: OPCUASecurityPolicy, mode: OPCUASecurityMode, identities: SecurityTestIdentities,
                    serverKeyPEM: String? = nil, server: OPCUAApplicationIdentity? = nil,
                    ops: [[String: Any]]) async throws -> [[String: Any]] {
        let directory = try makeScratchDirectory("opcua-crypto")
        let requestFile = directory.appendingPathComponent("request.json")
        let resultFile = directory.appendingPathComponent("result.json")
        let request: [String: Any] = [
            "policy": policy.shortName, "mode": mode.description,
            "client_cert": SecurityHex.string(identities.client.certificate.der),
            "server_cert": SecurityHex.string((server ?? identities.server).certificate.der),
            "server_key_pem": serverKeyPEM ?? identities.serverKeyPEM,
            "ops": ops,
        ]
        try JSONSerialization.data(withJSONObject: request).write(to: requestFile)
        let peer = try PythonPeer.start("opcua_crypto.py", arguments: [requestFile.path, resultFile.path],
                                        logFile: directory.appendingPathComponent("peer.log"))
        guard await waitUntil(timeout: 90, interval: 0.05, { !peer.isRunning }) else {
            peer.stop()
            throw Failure(description: "opcua_crypto.py did not finish in 90 s:\n\(peer.output())")
        }
        guard peer.process.terminationStatus == 0, let data = FileManager.default.contents(atPath: resultFile.path),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = object["results"] as? [[String: Any]] else {
            throw Failure(description: "opcua_crypto.py failed (status \(peer.process.terminationStatus)):\n\(peer.output())")
        }
        return results
    }
}
