import Crypto
import _CryptoExtras

/// AES-CBC without cipher padding: OPC UA pads the plaintext to whole blocks itself.
enum OPCUAAESCBC {
    static func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        do {
            return Array(try AES._CBC.encrypt(plaintext, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw OPCUASecurityError("AES-CBC encryption failed: \(error)")
        }
    }

    static func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        do {
            return Array(try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw OPCUASecurityError("AES-CBC decryption failed: \(error)")
        }
    }
}
