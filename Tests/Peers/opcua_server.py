"""OPC-UA test peer (asyncua 2.1.0) for the Swift OPC-UA client and connector tests.

Usage: opcua_server.py PORT [--secure] [--cert-dir DIR] [--users] [--x509-user CERT.der] [--max-nodes-per-read N]
Prints "READY opc.tcp://127.0.0.1:PORT/tbtest/ ns=IDX" once listening.

Browse names are in the test namespace too (2:Device1/2:Settings/2:Setpoint).
Address space (namespace "http://tbgw.test", string NodeIds, under Objects/Device1):
  Temperature  Double   changes every 200 ms (20 + 5 sin)
  Counter      Int32    counts up every 200 ms
  Status       String   writable, starts "ok"
  Enabled      Boolean  writable, True
  Big          Int64    writable, 9007199254740993
  Small        UInt16   writable, 65535
  Ratio        Float    writable, 0.5
  Raw          ByteString b"\x01\x02\xff"
  Samples      Double[] [1.5, 2.5, 3.5]
  Wide         Double[] 20000 elements (a response bigger than one 64 KiB chunk)
  Add(a Double, b Double) -> Double  method on Device1 (ns=2;s=Add)
  Fail()                    method that raises (the server answers BadUnexpectedError)
  Slow(seconds Double) -> Double  answers after `seconds` (a request the server holds)
  Settings/    folder with Setpoint (Double, writable, 1.0): a path for TranslateBrowsePaths
--secure also offers Basic256Sha256 Sign/SignAndEncrypt with a self-signed cert in --cert-dir.
--users requires UserName tokens (tbuser/tbpass); without it anonymous and UserName both work.
--x509-user requires X509 user tokens (with --secure, so the token can be signed): only the given
  certificate logs in, and only with a valid signature of the server's challenge by its key.
--max-nodes-per-read N publishes N as OperationLimits.MaxNodesPerRead and, like a strict PLC,
  refuses a client's Read of more nodes with BadTooManyOperations.
"""
import asyncio, math, sys
from pathlib import Path
from asyncua import Server, ua, uamethod
from asyncua.common.callback import CallbackType
from asyncua.common.utils import ServiceError
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager


class PwUsers(UserManager):
    """tbuser/tbpass logs in; anonymous is allowed unless the endpoint refuses it; a user
    certificate (already checked against its signature by asyncua) must be the trusted one."""
    def __init__(self, trusted_certificate=None):
        self.trusted_certificate = trusted_certificate

    def get_user(self, iserver, username=None, password=None, certificate=None):
        # asyncua passes the client's application certificate here for every token type, so the
        # certificate is checked only where user certificates are required (--x509-user).
        if username is not None:
            return User(role=UserRole.User) if (username, password) == ("tbuser", "tbpass") else None
        if self.trusted_certificate is not None:
            return User(role=UserRole.User) if certificate == self.trusted_certificate else None
        return User(role=UserRole.User)


@uamethod
def add(parent, a, b):
    return a + b


@uamethod
async def slow(parent, seconds):
    await asyncio.sleep(seconds)
    return seconds


@uamethod
def fail(parent):
    raise RuntimeError("fails on purpose")


async def main():
    args = sys.argv[1:]
    port = int(args[0])
    secure = "--secure" in args
    users = "--users" in args
    cert_dir = Path(args[args.index("--cert-dir") + 1]) if "--cert-dir" in args else Path(__file__).parent
    x509_user = Path(args[args.index("--x509-user") + 1]).read_bytes() if "--x509-user" in args else None
    server = Server(user_manager=PwUsers(x509_user))
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/tbtest/")
    uri = "urn:tbgw:test:server"
    await server.set_application_uri(uri)
    if secure:
        from cryptography.x509.oid import ExtendedKeyUsageOID
        from asyncua.crypto.cert_gen import setup_self_signed_certificate
        cert_dir.mkdir(parents=True, exist_ok=True)
        await setup_self_signed_certificate(cert_dir / "server-key.pem", cert_dir / "server-cert.der", uri, "localhost",
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH], {"commonName": "tbgw-test"})
        await server.load_certificate(str(cert_dir / "server-cert.der"))
        await server.load_private_key(str(cert_dir / "server-key.pem"))
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity, ua.SecurityPolicyType.Basic256Sha256_Sign,
                                    ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
    if x509_user is not None:
        server.set_identity_tokens([ua.X509IdentityToken])
    elif users:
        server.set_identity_tokens([ua.UserNameIdentityToken])
    else:
        server.set_identity_tokens([ua.AnonymousIdentityToken, ua.UserNameIdentityToken])

    idx = await server.register_namespace("http://tbgw.test")
    dev = await server.nodes.objects.add_object(ua.NodeId("Device1", idx), ua.QualifiedName("Device1", idx))
    temp = await dev.add_variable(ua.NodeId("Temperature", idx), ua.QualifiedName("Temperature", idx), 20.0)
    cnt = await dev.add_variable(ua.NodeId("Counter", idx), ua.QualifiedName("Counter", idx), ua.Variant(0, ua.VariantType.Int32))
    writable = [
        await dev.add_variable(ua.NodeId("Status", idx), ua.QualifiedName("Status", idx), "ok"),
        await dev.add_variable(ua.NodeId("Enabled", idx), ua.QualifiedName("Enabled", idx), True),
        await dev.add_variable(ua.NodeId("Big", idx), ua.QualifiedName("Big", idx), ua.Variant(9007199254740993, ua.VariantType.Int64)),
        await dev.add_variable(ua.NodeId("Small", idx), ua.QualifiedName("Small", idx), ua.Variant(65535, ua.VariantType.UInt16)),
        await dev.add_variable(ua.NodeId("Ratio", idx), ua.QualifiedName("Ratio", idx), ua.Variant(0.5, ua.VariantType.Float)),
    ]
    for node in writable:
        await node.set_writable()
    await dev.add_variable(ua.NodeId("Raw", idx), ua.QualifiedName("Raw", idx), ua.Variant(b"\x01\x02\xff", ua.VariantType.ByteString))
    await dev.add_variable(ua.NodeId("Samples", idx), ua.QualifiedName("Samples", idx), ua.Variant([1.5, 2.5, 3.5], ua.VariantType.Double))
    await dev.add_variable(ua.NodeId("Wide", idx), ua.QualifiedName("Wide", idx), ua.Variant([float(i) for i in range(20000)], ua.VariantType.Double))
    await dev.add_method(ua.NodeId("Add", idx), ua.QualifiedName("Add", idx), add,
                         [ua.VariantType.Double, ua.VariantType.Double], [ua.VariantType.Double])
    await dev.add_method(ua.NodeId("Fail", idx), ua.QualifiedName("Fail", idx), fail, [], [])
    await dev.add_method(ua.NodeId("Slow", idx), ua.QualifiedName("Slow", idx), slow,
                         [ua.VariantType.Double], [ua.VariantType.Double])
    settings = await dev.add_folder(ua.NodeId("Settings", idx), ua.QualifiedName("Settings", idx))
    setpoint = await settings.add_variable(ua.NodeId("Setpoint", idx), ua.QualifiedName("Setpoint", idx), 1.0)
    await setpoint.set_writable()

    async with server:
        if "--max-nodes-per-read" in args:
            limit = int(args[args.index("--max-nodes-per-read") + 1])
            await server.get_node(ua.NodeId(ua.ObjectIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead)) \
                .write_value(ua.Variant(limit, ua.VariantType.UInt32))

            async def refuse_big_reads(event, dispatcher):
                if event.is_external and len(event.request_params.NodesToRead) > limit:
                    raise ServiceError(ua.StatusCodes.BadTooManyOperations)
            server.subscribe_server_callback(CallbackType.PreRead, refuse_big_reads)
        print(f"READY opc.tcp://127.0.0.1:{port}/tbtest/ ns={idx}", flush=True)
        i = 0
        while True:
            await asyncio.sleep(0.2)
            i += 1
            await temp.write_value(20.0 + 5 * math.sin(i / 10))
            await cnt.write_value(ua.Variant(i, ua.VariantType.Int32))

asyncio.run(main())
