"""OPC UA security cross-check peer: plays the *server* side of a secure channel with asyncua's own crypto
(asyncua.crypto.security_policies / uacrypto, asyncua 2.1.0), so Swift tests can check their client-side
chunks, keys, session signatures and password tokens against the real implementation.

Usage: opcua_crypto.py REQUEST.json RESULT.json
REQUEST: {"policy": "Basic256Sha256", "mode": "SignAndEncrypt",
          "client_cert": hex DER, "server_cert": hex DER, "server_key_pem": PEM text,
          "ops": [{"op": ..., ...}, ...]}
All byte values are hex strings. RESULT: {"results": [...]} one object per op, {"error": "..."} when an op fails
(e.g. a tampered chunk), so one run answers many questions (importing asyncua takes seconds).

Ops (python = server, Swift = client):
  derive       {client_nonce, server_nonce} -> client_/server_ signing, encrypting, iv (uacrypto.p_sha*)
  open_sym     {client_nonce, server_nonce, chunk} -> header fields + body of a Swift-sealed MSG/CLO chunk
  seal_sym     {client_nonce, server_nonce, body, channel_id, token_id, request_id, sequence_number}
               -> chunk (a MSG chunk asyncua sealed for the client)
  open_asym    {chunk} -> header fields + body of a Swift-sealed OPN chunk
  seal_asym    {body, channel_id, request_id, sequence_number} -> OPN chunk for the client
  verify_client_signature {server_nonce, signature} -> {valid: bool}
  server_signature {client_nonce} -> {signature, algorithm}
  decrypt_password {cipher, algorithm, server_nonce} -> {password} (as asyncua's server decrypts user tokens)
"""
import json
import sys
from struct import unpack_from

from asyncua import ua
from asyncua.common.connection import MessageChunk
from asyncua.common.utils import Buffer
from asyncua.crypto import security_policies, uacrypto
from cryptography.hazmat.primitives import serialization

POLICIES = {
    "Basic256Sha256": (security_policies.SecurityPolicyBasic256Sha256, uacrypto.p_sha256),
    "Aes128_Sha256_RsaOaep": (security_policies.SecurityPolicyAes128Sha256RsaOaep, uacrypto.p_sha256),
    "Aes256_Sha256_RsaPss": (security_policies.SecurityPolicyAes256Sha256RsaPss, uacrypto.p_sha256),
    "Basic256": (security_policies.SecurityPolicyBasic256, uacrypto.p_sha1),
    "Basic128Rsa15": (security_policies.SecurityPolicyBasic128Rsa15, uacrypto.p_sha1),
}
MODES = {"Sign": ua.MessageSecurityMode.Sign, "SignAndEncrypt": ua.MessageSecurityMode.SignAndEncrypt}


def h(data):
    return bytes(data).hex()


def b(text):
    return bytes.fromhex(text)


class ServerSide:
    def __init__(self, request):
        self.policy_class, self.p_sha = POLICIES[request["policy"]]
        self.client_cert = b(request["client_cert"])
        self.server_cert = b(request["server_cert"])
        self.server_key = serialization.load_pem_private_key(request["server_key_pem"].encode(), password=None)
        self.mode = MODES[request["mode"]]

    def policy(self, op=None):
        """A fresh server-role policy; with nonces, its symmetric keys are those of that token."""
        policy = self.policy_class(self.client_cert, uacrypto.x509_from_der(self.server_cert), self.server_key, self.mode)
        if op is not None and "client_nonce" in op:
            client_nonce, server_nonce = b(op["client_nonce"]), b(op["server_nonce"])
            # The server's own keys come from P(clientNonce, serverNonce); the client's from P(serverNonce, clientNonce).
            policy.make_local_symmetric_key(client_nonce, server_nonce)
            policy.make_remote_symmetric_key(server_nonce, client_nonce, 3600000)
        return policy

    def sizes(self):
        cls = self.policy_class
        return (cls.signature_key_size, cls.symmetric_key_size, 16)

    def derive(self, op):
        client_nonce, server_nonce = b(op["client_nonce"]), b(op["server_nonce"])
        cs, ce, ci = self.p_sha(server_nonce, client_nonce, self.sizes())
        ss, se, si = self.p_sha(client_nonce, server_nonce, self.sizes())
        return {"client_signing": h(cs), "client_encrypting": h(ce), "client_iv": h(ci),
                "server_signing": h(ss), "server_encrypting": h(se), "server_iv": h(si)}

    @staticmethod
    def describe(chunk):
        result = {"message_type": chunk.MessageHeader.MessageType.decode(),
                  "chunk_type": chunk.MessageHeader.ChunkType.decode(),
                  "channel_id": chunk.MessageHeader.ChannelId,
                  "sequence_number": chunk.SequenceHeader.SequenceNumber,
                  "request_id": chunk.SequenceHeader.RequestId,
                  "body": h(chunk.Body)}
        header = chunk.SecurityHeader
        if isinstance(header, ua.SymmetricAlgorithmHeader):
            result["token_id"] = header.TokenId
        else:
            result["policy_uri"] = header.SecurityPolicyURI
            result["sender_certificate"] = h(header.SenderCertificate or b"")
            result["receiver_thumbprint"] = h(header.ReceiverCertificateThumbPrint or b"")
        return result

    def open_sym(self, op):
        return self.describe(MessageChunk.from_binary(self.policy(op), Buffer(b(op["chunk"]))))

    def open_asym(self, op):
        return self.describe(MessageChunk.from_binary(self.policy(), Buffer(b(op["chunk"]))))

    def seal(self, op, message_type):
        chunk = MessageChunk.message_to_chunks(self.policy(op), b(op["body"]), 65536, message_type=message_type,
                                               channel_id=op["channel_id"], request_id=op["request_id"],
                                               token_id=op.get("token_id", 1))[0]
        chunk.SequenceHeader.SequenceNumber = op["sequence_number"]
        return {"chunk": h(chunk.to_binary())}

    def seal_sym(self, op):
        return self.seal(op, ua.MessageType.SecureMessage)

    def seal_asym(self, op):
        return self.seal(op, ua.MessageType.SecureOpen)

    def verify_client_signature(self, op):
        try:
            self.policy().asymmetric_cryptography.verify(self.server_cert + b(op["server_nonce"]), b(op["signature"]))
            return {"valid": True}
        except Exception as error:  # cryptography's InvalidSignature or a size mismatch
            return {"valid": False, "reason": repr(error)}

    def server_signature(self, op):
        signature = self.policy().asymmetric_cryptography.signature(self.client_cert + b(op["client_nonce"]))
        return {"signature": h(signature), "algorithm": self.policy_class.AsymmetricSignatureURI}

    def decrypt_password(self, op):
        # The same steps as asyncua.server.internal_server.InternalServer.decrypt_user_token.
        algorithm, cipher = op["algorithm"], b(op["cipher"])
        if algorithm == "http://www.w3.org/2001/04/xmlenc#rsa-1_5":
            raw = uacrypto.decrypt_rsa15(self.server_key, cipher)
        elif algorithm == "http://www.w3.org/2001/04/xmlenc#rsa-oaep":
            raw = uacrypto.decrypt_rsa_oaep(self.server_key, cipher)
        elif algorithm == "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256":
            raw = uacrypto.decrypt_rsa_oaep_sha256(self.server_key, cipher)
        else:
            raise ValueError(f"unknown password encoding {algorithm}")
        nonce = b(op["server_nonce"])
        length = unpack_from("<I", raw)[0] - len(nonce)
        return {"password": raw[4:4 + length].decode("utf-8"), "nonce": h(raw[4 + length:])}


def main():
    with open(sys.argv[1]) as source:
        request = json.load(source)
    server = ServerSide(request)
    results = []
    for op in request["ops"]:
        try:
            results.append(getattr(server, op["op"])(op))
        except Exception as error:
            results.append({"error": f"{type(error).__name__}: {error}"})
    with open(sys.argv[2] + ".tmp", "w") as sink:
        json.dump({"results": results}, sink)
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])


if __name__ == "__main__":
    main()
