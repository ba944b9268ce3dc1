import GatewayKit
import Testing
@testable import OPCUAConnector

@Suite("OPC-UA RPC requests")
struct RPCRequestKindTests {
    @Test("get: params name the node; trailing separators are dropped")
    func get() throws {
        #expect(try OPCUARPCRequestKind(method: "get", params: "Root\\.Objects\\.TempSensor\\.Pressure")
                == .get(target: "Root\\.Objects\\.TempSensor\\.Pressure"))
        #expect(try OPCUARPCRequestKind(method: "get", params: "ns=3;i=9; ") == .get(target: "ns=3;i=9"))
        #expect(try OPCUARPCRequestKind(method: "GET", params: "Pressure") == .get(target: "Pressure"))
        #expect(throws: OPCUARPCRequestKind.Invalid.self) { try OPCUARPCRequestKind(method: "get", params: 5) }
    }

    /// The upstream blackbox `set` params and the reference's other separators.
    @Test("set: node and value split as the reference splits them", arguments: [
        ("Root\\.Objects\\.TempSensor\\.Pressure; 90.25", "Root\\.Objects\\.TempSensor\\.Pressure", "90.25"),
        ("Root\\.Objects\\.TempSensor_G\\.Humidity; 40.5", "Root\\.Objects\\.TempSensor_G\\.Humidity", "40.5"),
        ("Pressure; 90.25", "Pressure", "90.25"),
        ("ns=3;i=9; 456.34", "ns=3;i=9", "456.34"),
        ("ns=3;i=9;=456.34", "ns=3;i=9", "456.34"),
        ("ns=4;s=Status_S OK", "ns=4;s=Status_S", "OK"),
        ("Pressure=12", "Pressure", "12"),
        ("Pressure 12;", "Pressure", "12"),
    ])
    func set(params: String, target: String, value: String) throws {
        #expect(try OPCUARPCRequestKind(method: "set", params: .string(params)) == .set(target: target, value: value))
    }

    @Test("set without a value is refused with the expected syntax")
    func setWithoutValue() {
        #expect(throws: OPCUARPCRequestKind.Invalid.self) { try OPCUARPCRequestKind(method: "set", params: "Pressure") }
        #expect(throws: OPCUARPCRequestKind.Invalid.self) { try OPCUARPCRequestKind(method: "set", params: "a b c") }
    }

    @Test("opcua_<method> is a connector RPC with {arguments: [{value}]} params")
    func connectorRPC() throws {
        #expect(try OPCUARPCRequestKind(method: "opcua_multiply", params: ["arguments": [["value": 2], ["value": 3]]])
                == .connector(method: "multiply", arguments: [2, 3]))
        #expect(try OPCUARPCRequestKind(method: "opcua_reset", params: .null) == .connector(method: "reset", arguments: []))
    }

    @Test("any other method is a device method")
    func deviceMethod() throws {
        #expect(try OPCUARPCRequestKind(method: "multiply", params: [7, 8]) == .device(method: "multiply", params: [7, 8]))
    }

    @Test("method arguments follow the reference's rules")
    func methodArguments() throws {
        let configured = OPCUARPCMethod(method: "multiply", arguments: [.init(type: "integer", value: 5), .init(type: "integer", value: 4)])
        #expect(try OPCUAConnector.arguments(for: configured, params: [7, 8]) == [7, 8])
        #expect(try OPCUAConnector.arguments(for: configured, params: .null) == [5, 4])
        #expect(try OPCUAConnector.arguments(for: configured, params: [:]) == [5, 4])
        #expect(throws: OPCUADeviceRPCRefusal.self) { try OPCUAConnector.arguments(for: configured, params: [1]) }
        #expect(throws: OPCUADeviceRPCRefusal.self) { try OPCUAConnector.arguments(for: configured, params: 3) }
        let open = OPCUARPCMethod(method: "multiply", arguments: [.init(type: "integer", value: nil), .init(type: "integer", value: nil)])
        #expect(throws: OPCUADeviceRPCRefusal.self) { try OPCUAConnector.arguments(for: open, params: .null) }
        let none = OPCUARPCMethod(method: "reset", arguments: [])
        #expect(try OPCUAConnector.arguments(for: none, params: .null) == [])
        #expect(try OPCUAConnector.arguments(for: none, params: [1, "a"]) == [1, "a"])
        #expect(try OPCUAConnector.arguments(for: none, params: 5) == [5])
    }
}
