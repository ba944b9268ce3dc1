"""OPC-UA server with the node layout of the upstream gateway's OPC-UA blackbox tests
(TempSensor / TempSensor_S / TempSensor_G in namespaces 3-5), plus a few nodes of our own
(pattern-matched Boiler devices, typed values, a ticking counter) for the connector tests.

Usage: opcua_connector_server.py <port>
Prints READY once the endpoint opc.tcp://127.0.0.1:<port>/freeopcua/server/ accepts clients.
"""
import asyncio
import base64
import logging
import os
import sys
import uuid
from datetime import datetime, timezone

from asyncua import Server, ua
from asyncua.common.methods import uamethod


def opaque(text):
    return ua.NodeId(base64.b64decode(text), 0, ua.NodeIdType.ByteString)


async def variable(parent, node_id, name, namespace, value, variant_type=None):
    node = await parent.add_variable(node_id, ua.QualifiedName(name, namespace), value, variant_type)
    await node.set_writable()
    return node


async def build(server):
    for index in (2, 3, 4, 5):
        got = await server.register_namespace(f"urn:swift-iot-gateway:test:ns{index}")
        assert got == index, (got, index)
    objects = server.nodes.objects

    # TempSensor: ns=3;i=1
    temp = await objects.add_object(ua.NodeId(1, 3), ua.QualifiedName("TempSensor", 3))
    await variable(temp, ua.NodeId(2, 3), "Pressure", 3, 1013.25)
    await variable(temp, ua.NodeId(3, 3), "SomeText", 3, "SomeText")
    await variable(temp, ua.NodeId(4, 3), "Alarm", 3, True)
    node = ua.NodeId(b"MyNodeId", 3, ua.NodeIdType.ByteString)
    await variable(temp, node, "MyNodeId", 3, 12.2)

    @uamethod
    def multiply(parent, a, b):
        return a * b

    await temp.add_method(ua.NodeId("TempSensor.multiply", 3), ua.QualifiedName("multiply", 3), multiply,
                          [ua.VariantType.Int64, ua.VariantType.Int64], [ua.VariantType.Int64])

    @uamethod
    def fail(parent):
        raise ua.UaStatusCodeError(ua.StatusCodes.BadInvalidState)

    await temp.add_method(ua.NodeId("TempSensor.fail", 3), ua.QualifiedName("fail", 3), fail, [], [])

    # TempSensor_S: ns=4;s=TempSensor_S
    sensor_s = await objects.add_object(ua.NodeId("TempSensor_S", 4), ua.QualifiedName("TempSensor_S", 4))
    await variable(sensor_s, ua.NodeId("Humidity_S4", 4), "Humidity", 4, 203.5)
    await variable(sensor_s, ua.NodeId(8, 3), "Pressure_S", 3, 1560.25)
    await variable(sensor_s, ua.NodeId(b"Status_S", 4, ua.NodeIdType.ByteString), "Status", 4, "OK")
    await variable(sensor_s, ua.NodeId("Alarm_S4", 4), "Alarm", 4, True)

    # TempSensor_G: ns=5;g=018dd02c-...
    sensor_g = await objects.add_object(ua.NodeId(uuid.UUID("018dd02c-fd22-754a-b6d3-5fcae91cd39d"), 5),
                                        ua.QualifiedName("TempSensor_G", 5))
    await variable(sensor_g, ua.NodeId("Humidity_S", 5), "Humidity", 5, 243.5)
    await variable(sensor_g, ua.NodeId(9, 3), "Pressure_S", 3, 23455.25)
    await variable(sensor_g, ua.NodeId(b"Status_S", 5, ua.NodeIdType.ByteString), "Status", 5, "ERROR")
    await variable(sensor_g, ua.NodeId(uuid.UUID("baeaf004-1e43-4a06-9ef0-e52010d5cd12"), 5), "Alarm", 5, False)

    # Two boilers found by one pattern (Boiler\d), named by their SerialNumber node.
    for number, serial, temperature in ((1, "SN-001", 71.5), (2, "SN-002", 64.0)):
        boiler = await objects.add_object(ua.NodeId(f"Boiler{number}", 2), ua.QualifiedName(f"Boiler{number}", 2))
        await variable(boiler, ua.NodeId(f"Boiler{number}.SerialNumber", 2), "SerialNumber", 2, serial)
        await variable(boiler, ua.NodeId(f"Boiler{number}.Temperature", 2), "Temperature", 2, temperature)
        await variable(boiler, ua.NodeId(f"Boiler{number}.Setpoint", 2), "Setpoint", 2, 60, ua.VariantType.Int32)

    # Values of many types, for the converter.
    types = await objects.add_object(ua.NodeId("Types", 2), ua.QualifiedName("Types", 2))
    await variable(types, ua.NodeId("Types.Int32", 2), "Int32", 2, -42, ua.VariantType.Int32)
    await variable(types, ua.NodeId("Types.UInt16", 2), "UInt16", 2, 65535, ua.VariantType.UInt16)
    await variable(types, ua.NodeId("Types.Float", 2), "Float", 2, 1.5, ua.VariantType.Float)
    await variable(types, ua.NodeId("Types.DateTime", 2), "DateTime", 2,
                   datetime(2024, 5, 1, 12, 30, 0, 250000, tzinfo=timezone.utc), ua.VariantType.DateTime)
    await variable(types, ua.NodeId("Types.ByteString", 2), "ByteString", 2, b"\x01\xab\xff", ua.VariantType.ByteString)
    await variable(types, ua.NodeId("Types.Guid", 2), "Guid", 2,
                   uuid.UUID("72962b91-fa75-4ae6-8d28-b404dc7daf63"), ua.VariantType.Guid)
    await variable(types, ua.NodeId("Types.NodeId", 2), "NodeId", 2, ua.NodeId(85, 0), ua.VariantType.NodeId)
    await variable(types, ua.NodeId("Types.QualifiedName", 2), "QualifiedName", 2,
                   ua.QualifiedName("Name", 2), ua.VariantType.QualifiedName)
    await variable(types, ua.NodeId("Types.LocalizedText", 2), "LocalizedText", 2,
                   ua.LocalizedText("Hello", "en"), ua.VariantType.LocalizedText)
    await variable(types, ua.NodeId("Types.Array", 2), "Array", 2, [1, 2, 3], ua.VariantType.Int32)
    await variable(types, ua.NodeId("Types.Bool", 2), "Bool", 2, False, ua.VariantType.Boolean)

    ticker = await objects.add_object(ua.NodeId("Ticker", 2), ua.QualifiedName("Ticker", 2))
    counter = await variable(ticker, ua.NodeId("Ticker.Count", 2), "Count", 2, 0, ua.VariantType.Int64)
    return counter


async def main():
    # OPCUA_CONNECTOR_SERVER_LOG=DEBUG shows every request (for debugging a test).
    logging.basicConfig(level=os.environ.get("OPCUA_CONNECTOR_SERVER_LOG", "WARNING"))
    port = int(sys.argv[1])
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/freeopcua/server/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    counter = await build(server)
    async with server:
        print("READY", flush=True)
        count = 0
        while True:
            await asyncio.sleep(0.2)
            count += 1
            await counter.write_value(ua.Variant(count, ua.VariantType.Int64))


if __name__ == "__main__":
    asyncio.run(main())
