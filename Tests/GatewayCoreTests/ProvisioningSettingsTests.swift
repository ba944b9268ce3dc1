@testable import GatewayCore
import GatewayKit
import Testing
import ThingsBoard

/// Provisioning as the reference sets it up: from `TB_GW_PROVISIONING_*` variables (Docker
/// deployments), with a random default device name and random MQTT_BASIC credentials.
struct ProvisioningSettingsTests {
    @Test func environmentVariablesMakeAProvisioningSection() throws {
        #expect(ThingsBoardConnectionFactory.provisioningFromEnvironment(["TB_GW_PROVISIONING_DEVICE_KEY": "k"]) == nil)
        let plain = try #require(ThingsBoardConnectionFactory.provisioningFromEnvironment(
            ["TB_GW_PROVISIONING_DEVICE_KEY": "k", "TB_GW_PROVISIONING_DEVICE_SECRET": "s"]))
        #expect(plain.type == "ACCESS_TOKEN" && plain.deviceKey == "k" && plain.deviceSecret == "s" && plain.deviceName == nil)
        let basic = try #require(ThingsBoardConnectionFactory.provisioningFromEnvironment(
            ["TB_GW_PROVISIONING_DEVICE_KEY": "k", "TB_GW_PROVISIONING_DEVICE_SECRET": "s",
             "TB_GW_PROVISIONING_DEVICE_NAME": "Line 3 gateway", "TB_GW_PROVISIONING_DEVICE_USERNAME": "u"]))
        #expect(basic.type == "MQTT_BASIC" && basic.username == "u" && basic.password == nil && basic.deviceName == "Line 3 gateway")
        let token = try #require(ThingsBoardConnectionFactory.provisioningFromEnvironment(
            ["TB_GW_PROVISIONING_DEVICE_KEY": "k", "TB_GW_PROVISIONING_DEVICE_SECRET": "s",
             "TB_GW_PROVISIONING_DEVICE_ACCESS_TOKEN": "T", "TB_GW_PROVISIONING_DEVICE_USERNAME": "u"]))
        #expect(token.type == "ACCESS_TOKEN" && token.accessToken == "T")
    }

    @Test func theDefaultNameIsGatewayAndFiveRandomLetters() {
        let names = (0..<5).map { _ in ThingsBoardConnectionFactory.defaultProvisionedName() }
        for name in names {
            #expect(name.hasPrefix("Gateway ") && name.dropFirst(8).count == 5 && name.dropFirst(8).allSatisfy { $0.isLowercase })
        }
        #expect(Set(names).count > 1)
    }

    @Test func mqttBasicCredentialsNotConfiguredAreRandom() {
        let request = ThingsBoardProvisioning.Request(deviceKey: "k", deviceSecret: "s", deviceName: "G",
                                                      credentials: .mqttBasic(username: "u", password: nil, clientID: nil))
        #expect(request.payload["username"] == "u")
        for key in ["password", "clientId"] {
            let value = request.payload[key]?.stringValue ?? ""
            #expect(value.count == 15 && value.allSatisfy { $0.isLowercase }, "\(key): \(value)")
        }
    }
}
