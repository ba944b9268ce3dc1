import GatewayKit
import Testing
@testable import ThingsBoard

@Suite struct ThingsBoardInboundTests {
    func decode(_ topic: String, _ json: String) -> ThingsBoardInbound? {
        ThingsBoardInbound.decode(topic: topic, payload: Array(json.utf8))
    }

    @Test func decodesServerRequests() {
        #expect(decode("v1/gateway/rpc", #"{"device":"Dev A","data":{"id":42,"method":"setRelay","params":{"on":true}}}"#)
                == .deviceRPC(device: "Dev A", id: 42, method: "setRelay", params: ["on": true]))
        #expect(decode("v1/gateway/attributes", #"{"device":"Dev A","data":{"relay":true}}"#)
                == .deviceAttributeUpdate(device: "Dev A", data: ["relay": true]))
        #expect(decode("v1/devices/me/rpc/request/5", #"{"method":"gateway_ping","params":{}}"#)
                == .gatewayRPC(requestID: "5", method: "gateway_ping", params: [:]))
        // No method: still a request, answered with an error rather than left to time out.
        #expect(decode("v1/devices/me/rpc/request/6", #"{"params":{}}"#) == .gatewayRPC(requestID: "6", method: "", params: [:]))
        #expect(decode("v1/gateway/disconnect", #"{"device":"Dev A","reason":150}"#) == .deviceDisconnected(device: "Dev A", reason: 150))
    }

    @Test func theGatewaysOwnPublishesEchoedBackAreNotRequests() {
        // Our RPC reply on v1/gateway/rpc has a top-level id.
        #expect(decode("v1/gateway/rpc", #"{"device":"Dev A","id":42,"data":{"success":true}}"#) == nil)
        // Our attribute publishes are keyed by device name.
        #expect(decode("v1/gateway/attributes", #"{"Dev A":{"model":"T1"}}"#) == nil)
        #expect(decode("v1/gateway/attributes", #"{"device":{"model":"T1"}}"#) == nil)
        #expect(decode("v1/gateway/attributes", #"{"device":{"a":1},"data":{"b":2}}"#) == nil)
        // Our connect announcements have no reason.
        #expect(decode("v1/gateway/disconnect", #"{"device":"Dev A"}"#) == nil)
        #expect(decode("v1/gateway/rpc", "not json") == nil)
    }
}
