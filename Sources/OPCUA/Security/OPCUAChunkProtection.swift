import NIOCore

/// The sign/pad/encrypt steps shared by asymmetric (OPN) and symmetric (MSG/CLO) chunks (Part 6 §6.7.2):
/// the signature covers everything from the message header to the end of the padding; encryption covers
/// everything from the sequence header to the end of the signature.
struct OPCUAChunkProtection {
    struct Encryption {
        var plainBlockSize: Int
        var cipherBlockSize: Int
        /// A second, high padding-size byte follows the padding when the encryption key is longer than 2048 bits.
        var hasExtraPaddingByte: Bool
        /// What we receive was encrypted with *our* key: for RSA its block size and extra-padding rule differ from
        /// the outgoing ones when the two keys differ in length.
        var incomingCipherBlockSize: Int
        var incomingHasExtraPaddingByte: Bool
        var encrypt: ([UInt8]) throws -> [UInt8]
        var decrypt: ([UInt8]) throws -> [UInt8]
    }

    var signatureSize: Int
    /// Signs the bytes it is given (a view into the chunk, valid only during the call).
    var sign: (UnsafeRawBufferPointer) throws -> [UInt8]
    /// Signature length of the peer (differs from ours for asymmetric chunks when the key sizes differ).
    var verifySignatureSize: Int
    var verify: (_ signature: UnsafeRawBufferPointer, _ data: UnsafeRawBufferPointer) -> Bool
    /// nil in Sign mode.
    var encryption: Encryption?

    /// Largest body (after the sequence header) that fits a chunk of `chunkSize` bytes.
    func maxBodySize(chunkSize: Int, securedFrom: Int) -> Int {
        let available = chunkSize - securedFrom
        guard let encryption else {
            return available - OPCUAChunkLayout.sequenceHeaderSize - signatureSize
        }
        let plainSpace = available / encryption.cipherBlockSize * encryption.plainBlockSize
        let paddingSizeBytes = encryption.hasExtraPaddingByte ? 2 : 1
        return plainSpace - OPCUAChunkLayout.sequenceHeaderSize - signatureSize - paddingSizeBytes
    }

    /// Padding bytes for `plainLength` bytes of sequence header + body, so that plain + padding + signature fills
    /// whole blocks: PaddingSize byte, PaddingSize bytes of that value, then the ExtraPaddingSize byte if needed.
    static func padding(plainLength: Int, signatureSize: Int, blockSize: Int, extraPaddingByte: Bool) -> [UInt8] {
        let sizeBytes = extraPaddingByte ? 2 : 1
        var paddingSize = (plainLength + signatureSize + sizeBytes) % blockSize
        if paddingSize != 0 { paddingSize = blockSize - paddingSize }
        var padding = [UInt8](repeating: UInt8(truncatingIfNeeded: paddingSize), count: paddingSize + 1)
        if extraPaddingByte { padding.append(UInt8(truncatingIfNeeded: paddingSize >> 8)) }
        return padding
    }

    func seal(_ chunk: inout ByteBuffer, securedFrom: Int) throws {
        try OPCUAChunkLayout.check(chunk, securedFrom: securedFrom)
        let start = chunk.readerIndex
        let wireSize: Int
        if let encryption {
            let padding = Self.padding(plainLength: chunk.readableBytes - securedFrom, signatureSize: signatureSize,
                                       blockSize: encryption.plainBlockSize, extraPaddingByte: encryption.hasExtraPaddingByte)
            chunk.writeBytes(padding)
            let blocks = (chunk.readableBytes - securedFrom + signatureSize) / encryption.plainBlockSize
            wireSize = securedFrom + blocks * encryption.cipherBlockSize
        } else {
            wireSize = chunk.readableBytes + signatureSize
        }
        // The size field is signed, so it must hold the final wire size before signing.
        OPCUAChunkLayout.setSize(&chunk, to: wireSize)
        let signature = try chunk.withUnsafeReadableBytes { try sign($0) }
        guard signature.count == signatureSize else {
            throw OPCUASecurityError("signature of \(signature.count) bytes, expected \(signatureSize)")
        }
        chunk.writeBytes(signature)
        if let encryption {
            let plain = Array(chunk.readableBytesView.dropFirst(securedFrom))
            let cipher = try encryption.encrypt(plain)
            chunk.moveWriterIndex(to: start + securedFrom)
            chunk.writeBytes(cipher)
        }
        guard chunk.readableBytes == wireSize else {
            throw OPCUASecurityError("sealed chunk is \(chunk.readableBytes) bytes, expected \(wireSize)")
        }
    }

    func open(_ chunk: inout ByteBuffer, securedFrom: Int) throws {
        try OPCUAChunkLayout.check(chunk, securedFrom: securedFrom)
        let start = chunk.readerIndex
        if let encryption {
            let cipher = Array(chunk.readableBytesView.dropFirst(securedFrom))
            guard cipher.count % encryption.incomingCipherBlockSize == 0 else {
                throw OPCUASecurityError("encrypted part of \(cipher.count) bytes is not a whole number of \(encryption.incomingCipherBlockSize)-byte blocks")
            }
            let plain = try encryption.decrypt(cipher)
            chunk.moveWriterIndex(to: start + securedFrom)
            chunk.writeBytes(plain)
        }
        guard chunk.readableBytes - securedFrom >= verifySignatureSize + OPCUAChunkLayout.sequenceHeaderSize else {
            throw OPCUASecurityError("chunk too short for its \(verifySignatureSize)-byte signature")
        }
        let signatureStart = chunk.readableBytes - verifySignatureSize
        let valid = chunk.withUnsafeReadableBytes { bytes in
            verify(UnsafeRawBufferPointer(rebasing: bytes[signatureStart...]),
                   UnsafeRawBufferPointer(rebasing: bytes[..<signatureStart]))
        }
        guard valid else {
            throw OPCUASecurityError("signature check failed (message tampered with, or wrong keys)")
        }
        chunk.moveWriterIndex(to: start + signatureStart)
        if let encryption {
            try Self.stripPadding(&chunk, securedFrom: securedFrom, extraPaddingByte: encryption.incomingHasExtraPaddingByte)
        }
    }

    /// Removes (and checks) the padding at the end of the signed plaintext.
    static func stripPadding(_ chunk: inout ByteBuffer, securedFrom: Int, extraPaddingByte: Bool) throws {
        let end = chunk.writerIndex
        let plainLength = chunk.readableBytes - securedFrom
        var paddingSize: Int
        var total: Int
        if extraPaddingByte {
            guard plainLength >= 2, let high = chunk.getInteger(at: end - 1, as: UInt8.self),
                  let low = chunk.getInteger(at: end - 2, as: UInt8.self) else {
                throw OPCUASecurityError("chunk too short for its padding")
            }
            paddingSize = Int(high) << 8 | Int(low)
            total = paddingSize + 2
        } else {
            guard plainLength >= 1, let low = chunk.getInteger(at: end - 1, as: UInt8.self) else {
                throw OPCUASecurityError("chunk too short for its padding")
            }
            paddingSize = Int(low)
            total = paddingSize + 1
        }
        guard total + OPCUAChunkLayout.sequenceHeaderSize <= plainLength else {
            throw OPCUASecurityError("padding size \(paddingSize) exceeds the chunk")
        }
        let paddingStart = end - total
        let expected = UInt8(truncatingIfNeeded: paddingSize)
        let paddingBytes = chunk.getBytes(at: paddingStart, length: paddingSize + 1) ?? []
        guard paddingBytes.allSatisfy({ $0 == expected }) else {
            throw OPCUASecurityError("malformed padding")
        }
        chunk.moveWriterIndex(to: paddingStart)
    }
}
