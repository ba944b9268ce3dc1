import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore

/// ThingsBoard device provisioning of the gateway itself (reference §1.1): a short MQTT 3.1.1
/// session with username `provision`, a request on `/provision/request`, the answer on
/// `/provision/response`. The answer is saved verbatim to `<configDir>/.credentials` and reused on
/// every later start, so a gateway provisions once.
public enum ThingsBoardProvisioning {
    public enum CredentialsType: Sendable, Equatable {
        /// `token` nil: a random 15-letter token is generated, as the reference does.
        case accessToken(token: String?)
        case mqttBasic(username: String?, password: String?, clientID: String?)
        case x509Certificate(certificatePEM: String)
    }

    public struct Request: Sendable {
        public var deviceKey: String
        public var deviceSecret: String
        public var deviceName: String
        public var credentials: CredentialsType

        public init(deviceKey: String, deviceSecret: String, deviceName: String, credentials: CredentialsType) {
            self.deviceKey = deviceKey
            self.deviceSecret = deviceSecret
            self.deviceName = deviceName
            self.credentials = credentials
        }

        public var payload: JSONValue {
            var object: JSONObject = [
                "provisionDeviceKey": .string(deviceKey), "provisionDeviceSecret": .string(deviceSecret),
                "deviceName": .string(deviceName), "gateway": true,
            ]
            switch credentials {
            case .accessToken(let token):
                object["credentialsType"] = "ACCESS_TOKEN"
                object["token"] = .string(token ?? ThingsBoardProvisioning.randomToken())
            case .mqttBasic(let username, let password, let clientID):
                // As the reference: a value not configured is a random 15-letter one (ThingsBoard
                // refuses MQTT_BASIC credentials without a client id or user name).
                object["credentialsType"] = "MQTT_BASIC"
                object["username"] = .string(username ?? ThingsBoardProvisioning.randomToken())
                object["password"] = .string(password ?? ThingsBoardProvisioning.randomToken())
                object["clientId"] = .string(clientID ?? ThingsBoardProvisioning.randomToken())
            case .x509Certificate(let certificate):
                object["credentialsType"] = "X509_CERTIFICATE"
                object["hash"] = .string(certificate)
            }
            return .object(object)
        }
    }

    public enum ProvisioningError: Error, Sendable, CustomStringConvertible {
        case noAnswer(seconds: Int)
        case refused(String)
        case unreadableAnswer(String)

        public var description: String {
            switch self {
            case .noAnswer(let seconds): return "ThingsBoard did not answer the provisioning request within \(seconds) s"
            case .refused(let answer): return "ThingsBoard refused provisioning: \(answer)"
            case .unreadableAnswer(let answer): return "unreadable provisioning answer: \(answer)"
            }
        }
    }

    static func randomToken() -> String { randomLetters(15) }

    /// Lowercase letters, as the reference's random tokens and device-name suffixes.
    public static func randomLetters(_ count: Int) -> String {
        String((0..<count).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
    }

    /// Runs the provisioning exchange and returns the server's answer (status SUCCESS).
    public static func provision(host: String, port: Int, tls: MQTTTLSConfiguration?, httpProxy: MQTTHTTPProxy? = nil,
                                 request: Request, timeout: Duration = .seconds(60), logger: Logger) async throws -> JSONValue {
        var configuration = MQTTClientConfiguration(host: host, port: port, clientID: "")
        configuration.version = .v3_1_1
        configuration.username = "provision"
        configuration.tls = tls
        configuration.httpProxy = httpProxy
        configuration.keepAlive = .seconds(60)
        let client = MQTTClient(configuration: configuration, logger: logger)
        do {
            _ = try await client.connect()
            _ = try await client.subscribe([MQTTSubscription(filter: GatewayTopics.provisionResponse, qos: .atLeastOnce)])
            _ = try await client.publish(MQTTMessage(topic: GatewayTopics.provisionRequest,
                                                     payload: ByteBuffer(bytes: request.payload.jsonBytes), qos: .atLeastOnce))
            let answer: [UInt8]? = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    for await message in client.messages where message.topic == GatewayTopics.provisionResponse {
                        return Array(message.payload.readableBytesView)
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            await client.disconnect()
            await client.shutdown()
            guard let answer else { throw ProvisioningError.noAnswer(seconds: Int(timeout.seconds)) }
            let text = String(decoding: answer, as: UTF8.self)
            guard let document = try? JSONValue.parse(answer) else { throw ProvisioningError.unreadableAnswer(text) }
            guard document["status"]?.stringValue == "SUCCESS" else { throw ProvisioningError.refused(text) }
            return document
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// The credentials a saved or fresh provisioning answer grants.
    public static func credentials(from answer: JSONValue) throws -> ThingsBoardCredentials {
        switch answer["credentialsType"]?.stringValue {
        case "ACCESS_TOKEN":
            guard let token = answer["credentialsValue"]?.stringValue else {
                throw ProvisioningError.unreadableAnswer(answer.jsonString)
            }
            return .accessToken(token)
        case "MQTT_BASIC":
            var value = answer["credentialsValue"]
            if let text = value?.stringValue { value = try? JSONValue.parse(text) }
            return .usernamePassword(username: value?["userName"]?.stringValue, password: value?["password"]?.stringValue,
                                     clientID: value?["clientId"]?.stringValue)
        case "X509_CERTIFICATE":
            return .x509Certificate
        default:
            throw ProvisioningError.unreadableAnswer(answer.jsonString)
        }
    }

    /// `<configDir>/.credentials`, where the answer is kept.
    public static func credentialsFile(in configDirectory: String) -> String {
        (configDirectory as NSString).appendingPathComponent(".credentials")
    }

    public static func loadSavedAnswer(configDirectory: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: credentialsFile(in: configDirectory)) else { return nil }
        return try? JSONValue.parse(Array(data))
    }

    public static func save(answer: JSONValue, configDirectory: String) throws {
        let url = URL(fileURLWithPath: credentialsFile(in: configDirectory))
        try Data(answer.jsonBytes).write(to: url, options: .atomic)
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }
}
